using System.Security.Cryptography;
using System.Text;
using Junipeer.Core.Errors;
using Junipeer.Core.Options;
using Microsoft.Extensions.Options;

namespace Junipeer.Core.Security;

/// <summary>
/// Encrypts cached access tokens at rest with AES-256-GCM. The key is Junipeer:TokenEncryptionKey
/// (base64 of 32 bytes). The context (integration id + system) is bound as associated data, so a
/// ciphertext copied to another row does not decrypt. Format: "v1." + base64(nonce | tag | cipher).
/// </summary>
public sealed class TokenProtector
{
    private const string Prefix = "v1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly Lazy<byte[]> _key;

    public TokenProtector(IOptions<JunipeerOptions> options)
    {
        var encoded = options.Value.TokenEncryptionKey;
        _key = new Lazy<byte[]>(() => DecodeKey(encoded));
    }

    public string Protect(string plaintext, string context)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[NonceSize + TagSize + plain.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key.Value, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(context));
        return Prefix + Convert.ToBase64String(output);
    }

    /// <summary>The plaintext, or null when the value was tampered with, belongs to another context or another key.</summary>
    public string? TryUnprotect(string? protectedValue, string context)
    {
        if (protectedValue is null || !protectedValue.StartsWith(Prefix, StringComparison.Ordinal))
            return null;
        try
        {
            var data = Convert.FromBase64String(protectedValue[Prefix.Length..]);
            if (data.Length < NonceSize + TagSize)
                return null;
            var plain = new byte[data.Length - NonceSize - TagSize];
            using var aes = new AesGcm(_key.Value, TagSize);
            aes.Decrypt(data.AsSpan(0, NonceSize), data.AsSpan(NonceSize + TagSize), data.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(context));
            return Encoding.UTF8.GetString(plain);
        }
        catch (FormatException)
        {
            return null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static byte[] DecodeKey(string? encoded)
    {
        byte[]? key = null;
        if (!string.IsNullOrWhiteSpace(encoded))
        {
            try
            {
                key = Convert.FromBase64String(encoded.Trim());
            }
            catch (FormatException)
            {
                key = null;
            }
        }

        if (key is not { Length: 32 })
            throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid,
                "Junipeer:TokenEncryptionKey must be the base64 encoding of exactly 32 random bytes.");
        return key;
    }
}
