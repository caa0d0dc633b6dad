using System.Security.Cryptography;
using System.Text;

namespace Junipeer.Core.Connect;

/// <summary>RFC 7636 PKCE (S256) and the one-time OAuth <c>state</c>: 32 random bytes each, base64url.</summary>
public static class Pkce
{
    public static string NewVerifier() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string NewState() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>code_challenge = BASE64URL(SHA256(ASCII(code_verifier))).</summary>
    public static string Challenge(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
