using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Core.Errors;

namespace Junipeer.Cli.Secrets;

/// <summary>
/// The encrypted local secret store of <c>junipeer run</c> (Key Vault's role when running locally):
/// <c>.junipeer/secrets.json</c> in the working directory, each value AES-256-GCM encrypted with its
/// name as associated data (a value moved to another name does not decrypt). The key is
/// <see cref="KeyVariable"/> (base64 of 32 bytes) or, when unset, <c>~/.junipeer/secrets.key</c>
/// (created on first use, owner-only). Values are never printed: <c>secret list</c> shows names.
/// <c>junipeer run</c> hands them to the host as <c>Secrets:&lt;name&gt;</c>, as Key Vault references do in Azure.
/// </summary>
public sealed class LocalSecretStore
{
    public const string KeyVariable = "JUNIPEER_SECRETS_KEY";
    private const string Prefix = "v1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly string _file;
    private readonly Func<byte[]> _key;

    public LocalSecretStore(string file, Func<byte[]> key)
    {
        _file = file;
        _key = key;
    }

    public string File => _file;

    /// <summary>The store of the working directory with the key from the environment or the user profile.</summary>
    public static LocalSecretStore ForWorkingDirectory(string? directory = null) =>
        new(Path.Combine(directory ?? Directory.GetCurrentDirectory(), ".junipeer", "secrets.json"), ProfileKey);

    private static byte[] ProfileKey()
    {
        var env = Environment.GetEnvironmentVariable(KeyVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            var buffer = new byte[64];
            return Convert.TryFromBase64String(env.Trim(), buffer, out var n) && n == 32
                ? buffer[..32]
                : throw new JunipeerException(ErrorCodes.SecretStoreLocked, $"{KeyVariable} must be the base64 encoding of exactly 32 bytes.");
        }

        var file = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".junipeer", "secrets.key");
        if (!System.IO.File.Exists(file))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            System.IO.File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows())
                System.IO.File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return Convert.FromBase64String(System.IO.File.ReadAllText(file).Trim());
    }

    public IReadOnlyList<string> Names() => [.. Read().Select(kv => kv.Key).Order(StringComparer.Ordinal)];

    public void Set(string name, string value)
    {
        var all = Read();
        all[name] = Encrypt(name, value);
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        var json = new JsonObject { ["version"] = 1, ["secrets"] = new JsonObject(all.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))) };
        var temp = _file + ".tmp";
        System.IO.File.WriteAllText(temp, json.ToJsonString());
        if (!OperatingSystem.IsWindows())
            System.IO.File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        System.IO.File.Move(temp, _file, overwrite: true);
    }

    /// <summary>Every secret decrypted; throws SECRET_STORE_LOCKED when one does not decrypt with this key.</summary>
    public IReadOnlyDictionary<string, string> ReadAll() => Read().ToDictionary(kv => kv.Key, kv => Decrypt(kv.Key, kv.Value), StringComparer.Ordinal);

    private Dictionary<string, string> Read()
    {
        if (!System.IO.File.Exists(_file))
            return new(StringComparer.Ordinal);
        try
        {
            var root = JsonNode.Parse(System.IO.File.ReadAllText(_file))?["secrets"]?.AsObject();
            return root?.ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>(), StringComparer.Ordinal) ?? new(StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new JunipeerException(ErrorCodes.SecretStoreLocked, $"The secret store {_file} is not readable: {ex.Message}");
        }
    }

    private string Encrypt(string name, string value)
    {
        var plain = Encoding.UTF8.GetBytes(value);
        var output = new byte[NonceSize + TagSize + plain.Length];
        RandomNumberGenerator.Fill(output.AsSpan(0, NonceSize));
        using var aes = new AesGcm(_key(), TagSize);
        aes.Encrypt(output.AsSpan(0, NonceSize), plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(name));
        return Prefix + Convert.ToBase64String(output);
    }

    private string Decrypt(string name, string stored)
    {
        try
        {
            var data = Convert.FromBase64String(stored.StartsWith(Prefix, StringComparison.Ordinal) ? stored[Prefix.Length..] : stored);
            var plain = new byte[data.Length - NonceSize - TagSize];
            using var aes = new AesGcm(_key(), TagSize);
            aes.Decrypt(data.AsSpan(0, NonceSize), data.AsSpan(NonceSize + TagSize), data.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(name));
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException or OverflowException)
        {
            throw new JunipeerException(ErrorCodes.SecretStoreLocked,
                $"Secret '{name}' in {_file} does not decrypt with this key ({KeyVariable} or ~/.junipeer/secrets.key).");
        }
    }
}
