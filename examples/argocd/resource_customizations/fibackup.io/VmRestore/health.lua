-- Argo CD health of a fibackup.io/v1alpha1 VmRestore, from its Job-like conditions (as Argo CD reads a
-- batch/v1 Job): Failed=True -> Degraded, Complete=True -> Healthy, anything else (no status yet,
-- Progressing with reason Pending, Running, Retrying, DomainBusy, ...) -> Progressing. The message is
-- the deciding condition's.
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
local conditions = status and status.conditions or nil

local failed = condition(conditions, "Failed")
if failed ~= nil and failed.status == "True" then
  hs.status = "Degraded"
  hs.message = failed.reason .. ": " .. text(failed)
  return hs
end

local complete = condition(conditions, "Complete")
if complete ~= nil and complete.status == "True" then
  hs.status = "Healthy"
  hs.message = text(complete)
  return hs
end

hs.status = "Progressing"
local progressing = condition(conditions, "Progressing")
if progressing ~= nil then
  hs.message = progressing.reason .. ": " .. text(progressing)
else
  hs.message = "Waiting for the operator"
end
return hs
