using System.Text;
using Junipeer.Core.Errors;
using Junipeer.Core.Options;
using Junipeer.Functions.Console;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Junipeer.Tests.Console;

/// <summary>Console sign-in rules: nothing configured, Easy Auth headers trusted only when the setting says so, session expiry.</summary>
public class ConsoleAuthTests
{
    private static ConsoleAuth Auth(ConsoleOptions console, TimeProvider? time = null) =>
        new(Microsoft.Extensions.Options.Options.Create(new JunipeerOptions { Console = console, TokenEncryptionKey = Convert.ToBase64String(new byte[32]) }), time ?? TimeProvider.System);

    private static HttpRequest Request(Action<HttpRequest>? setup = null)
    {
        var ctx = new DefaultHttpContext();
        setup?.Invoke(ctx.Request);
        return ctx.Request;
    }

    private static readonly string Principal = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"auth_typ\":\"aad\",\"claims\":[]}"));

    [Fact]
    public void Without_a_secret_or_Easy_Auth_nobody_gets_in()
    {
        var (caller, code, _) = Auth(new ConsoleOptions()).Authenticate(Request(r => r.Headers[ConsoleAuth.PrincipalHeader] = Principal));
        Assert.Null(caller);
        Assert.Equal(ErrorCodes.ConsoleAuthNotConfigured, code);
    }

    [Fact]
    public void Easy_Auth_headers_count_only_when_Easy_Auth_is_on()
    {
        void WithPrincipal(HttpRequest r)
        {
            r.Headers[ConsoleAuth.PrincipalHeader] = Principal;
            r.Headers[ConsoleAuth.PrincipalIdHeader] = "00000000-0000-0000-0000-000000000001";
            r.Headers[ConsoleAuth.PrincipalNameHeader] = "ops@example.com";
        }

        // A secret-protected local app ignores a forged principal header.
        Assert.Equal(ErrorCodes.ConsoleUnauthorized, Auth(new ConsoleOptions { AdminSecret = new string('s', 20) }).Authenticate(Request(WithPrincipal)).Code);

        var easy = Auth(new ConsoleOptions { EasyAuth = true });
        var (caller, _, _) = easy.Authenticate(Request(WithPrincipal));
        Assert.Equal("ops@example.com", caller!.Name);
        Assert.NotNull(caller.CsrfToken); // Easy Auth's session is a cookie: POSTs need the header too
        Assert.Equal(ErrorCodes.ConsoleUnauthorized, easy.Authenticate(Request()).Code);
        Assert.Equal(ErrorCodes.ConsoleUnauthorized, easy.Authenticate(Request(r => { WithPrincipal(r); r.Headers[ConsoleAuth.PrincipalHeader] = "not base64 json"; })).Code);
    }

    [Fact]
    public void A_session_cookie_expires_and_cannot_be_forged()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var auth = Auth(new ConsoleOptions { AdminSecret = new string('s', 20), SessionMinutes = 30 }, time);
        var session = auth.NewSession();
        HttpRequest WithCookie(string value) => Request(r => r.Headers.Cookie = $"{ConsoleAuth.CookieName}={value}");
        Assert.NotNull(auth.Authenticate(WithCookie(session)).Caller);
        var parts = session.Split('.');
        Assert.Null(auth.Authenticate(WithCookie($"{long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) + 999_999}.{parts[1]}.{parts[2]}")).Caller);
        Assert.Null(Auth(new ConsoleOptions { AdminSecret = new string('t', 20), SessionMinutes = 30 }, time).Authenticate(WithCookie(session)).Caller); // another secret
        time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(ErrorCodes.ConsoleUnauthorized, auth.Authenticate(WithCookie(session)).Code);
    }
}
