-- Argo CD health of a fibackup.io/v1alpha1 VmBackupPolicy, from the status the operator writes:
-- observedGeneration behind the spec -> Progressing; Ready=False -> Degraded (ClaimNotBound: Progressing,
-- a claim being provisioned binds by itself); the last run Failed or PartiallyFailed -> Degraded;
-- spec.suspend -> Suspended; Ready=True -> Healthy.
local hs = {}

local function condition(conditions, type)
  if conditions == nil then return nil end
  for _, c in ipairs(conditions) do
    if c.type == type then return c end
  end
  return nil
end

local function text(c)
  if c.message ~= nil and c.message ~= "" then return c.message end
  return c.reason or ""
end

local status = obj.status
if status == nil or status.observedGeneration == nil
    or (obj.metadata.generation ~= nil and status.observedGeneration < obj.metadata.generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe the policy"
  return hs
end

local ready = condition(status.conditions, "Ready")
if ready == nil or ready.status == "Unknown" then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to check the policy"
  return hs
end
if ready.status == "False" then
  if ready.reason == "ClaimNotBound" then
    hs.status = "Progressing"
  else
    hs.status = "Degraded"
  end
  hs.message = ready.reason .. ": " .. text(ready)
  return hs
end

if status.lastResult == "Failed" or status.lastResult == "PartiallyFailed" then
  local failed = {}
  for _, d in ipairs(status.domains or {}) do
    if d.lastResult == "Failed" then table.insert(failed, d.name .. " (" .. (d.lastBackup or "?") .. ")") end
  end
  hs.status = "Degraded"
  hs.message = "Last run " .. status.lastResult .. ": " .. table.concat(failed, ", ")
  return hs
end

if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = text(ready)
  return hs
end

hs.status = "Healthy"
hs.message = text(ready)
return hs
