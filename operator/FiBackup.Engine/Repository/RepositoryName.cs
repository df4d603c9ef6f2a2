using System.Text;
using FiBackup.Engine.Errors;

namespace FiBackup.Engine.Repository;

/// <summary>
/// The folder name a host or domain gets in the repository. libvirt allows names that are not
/// safe path components ("web server 1", "crème", even '%'), so each UTF-8 byte of a character
/// outside [A-Za-z0-9._+@-] is written as %XX (upper-case hex), as are a leading character that is
/// not a letter or digit and the second dot of "..": the result never holds '/', "..", a leading
/// dot or a space, and <see cref="Decode"/> gives the name back. A name SafeName always accepted
/// encodes to itself, so existing repositories keep their folders.
/// </summary>
public static class RepositoryName
{
    /// <summary>Longest folder name most Linux filesystems take (NAME_MAX, in bytes).</summary>
    private const int MaxLength = 255;

    /// <summary>The name as a repository folder; an empty name, or one whose encoding is too long, is refused naming <paramref name="field"/>.</summary>
    public static string Encode(string field, string? name)
    {
        if (string.IsNullOrEmpty(name))
            throw new InvalidNameException(field, name, "must not be empty");
        var encoded = Encode(name);
        if (encoded.Length > MaxLength)
            throw new InvalidNameException(field, name,
                $"is too long for a repository folder: encoded it takes {encoded.Length} characters, at most {MaxLength} fit");
        return encoded;
    }

    /// <summary>
    /// Checks a domain or host name the user typed, and returns it unchanged: it must be one libvirt
    /// could have (no '/', no control characters, not "." or "..", as libvirt and the operator's
    /// validation refuse them) and fit a repository folder once encoded.
    /// </summary>
    public static string Validate(string field, string? name)
    {
        Encode(field, name);
        if (name!.Contains('/') || name is "." or ".." || name.Any(char.IsControl))
            throw new InvalidNameException(field, name, "is not a libvirt name: it must not contain '/' or control characters, nor be \".\" or \"..\"");
        return name;
    }

    private static string Encode(string name)
    {
        var builder = new StringBuilder(name.Length);
        var bytes = new byte[4];
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var plain = i == 0
                ? char.IsAsciiLetterOrDigit(c)
                : char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '@' or '-' || (c == '.' && name[i - 1] != '.');
            if (plain)
            {
                builder.Append(c);
                continue;
            }
            // A surrogate pair is one character: encode both halves' UTF-8 together.
            var length = char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]) ? 2 : 1;
            var count = Encoding.UTF8.GetBytes(name.AsSpan(i, length), bytes);
            for (var b = 0; b < count; b++) builder.Append('%').Append(bytes[b].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            i += length - 1;
        }
        return builder.ToString();
    }

    /// <summary>The name a folder stands for; a folder name without valid %XX escapes stands for itself.</summary>
    public static string Decode(string folder)
    {
        if (!folder.Contains('%')) return folder;
        var bytes = new List<byte>(folder.Length);
        for (var i = 0; i < folder.Length; i++)
        {
            if (folder[i] == '%' && i + 2 < folder.Length
                && byte.TryParse(folder.AsSpan(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var b))
            {
                bytes.Add(b);
                i += 2;
            }
            else if (folder[i] < 0x80)
            {
                bytes.Add((byte)folder[i]);
            }
            else
            {
                return folder;
            }
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return folder;
        }
    }
}
