using System.Collections.Concurrent;
using Flurl.Http.Configuration;
using Junipeer.Connectors.Centra;
using Junipeer.Connectors.VismaNet;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Security;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging.Abstractions;

namespace Junipeer.Tests.Connectors;

/// <summary>A clock whose timers fire at once (on the thread pool) after moving the clock forward by the due time.</summary>
public sealed class AutoAdvancingTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now;

    public AutoAdvancingTimeProvider(DateTimeOffset start) => _now = start;

    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
            return _now;
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate)
            _now += by;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new InstantTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class InstantTimer(AutoAdvancingTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private volatile bool _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (_disposed || dueTime == Timeout.InfiniteTimeSpan)
                return !_disposed;
            owner.Delays.Enqueue(dueTime);
            owner.Advance(dueTime);
            ThreadPool.QueueUserWorkItem(_ =>
            {
                if (!_disposed)
                    callback(state);
            });
            return true;
        }

        public void Dispose() => _disposed = true;

        public ValueTask DisposeAsync()
        {
            _disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>ITokenStore with real ETag semantics: insert only when absent, update only on a matching ETag.</summary>
public sealed class InMemoryTokenStore : ITokenStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string, string), TokenRecord> _rows = new();

    public int Writes { get; private set; }
    public int RejectedWrites { get; private set; }

    /// <summary>Runs before each read, e.g. to simulate another instance finishing a refresh.</summary>
    public Action<int>? BeforeGet { get; set; }

    private int _gets;

    public Task<TokenRecord?> GetAsync(string integrationId, string system, CancellationToken cancellationToken)
    {
        BeforeGet?.Invoke(Interlocked.Increment(ref _gets));
        lock (_gate)
            return Task.FromResult(_rows.TryGetValue((integrationId, system), out var row) ? row : null);
    }

    public Task<TokenRecord?> TryWriteAsync(TokenRecord record, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var key = (record.IntegrationId, record.System);
            var exists = _rows.TryGetValue(key, out var current);
            var ok = record.ETag is null ? !exists : exists && current!.ETag == record.ETag;
            if (!ok)
            {
                RejectedWrites++;
                return Task.FromResult<TokenRecord?>(null);
            }

            Writes++;
            var saved = record with { ETag = Guid.NewGuid().ToString("N") };
            _rows[key] = saved;
            return Task.FromResult<TokenRecord?>(saved);
        }
    }

    public TokenRecord? Peek(string integrationId, string system)
    {
        lock (_gate)
            return _rows.TryGetValue((integrationId, system), out var row) ? row : null;
    }
}

public sealed class DictionarySecretResolver(IReadOnlyDictionary<string, string> secrets) : ISecretResolver
{
    public string Resolve(string secretName) =>
        TryResolve(secretName) ?? throw new JunipeerException(ErrorCodes.SecretNotConfigured, $"Secret '{secretName}' is not configured.");

    public string? TryResolve(string secretName) => secrets.TryGetValue(secretName, out var value) ? value : null;
}

public static class ConnectorTestSupport
{
    public const string VismaBase = "https://visma.test/visma";
    public const string TokenUrl = "https://connect.test/connect/token";
    public const string CentraUrl = "https://centra.test/graphql";
    public static readonly DateTimeOffset Start = new(2026, 5, 4, 10, 0, 0, TimeSpan.Zero);

    public static JunipeerOptions Options(int skewSeconds = 300, int vatCacheSeconds = 3600, int maxWaitSeconds = 10) => new()
    {
        TokenEncryptionKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
        VismaNet = new VismaNetOptions
        {
            ApiBaseUrl = "https://unused.test",
            TokenUrl = "https://unused.test/token",
            TimeoutSeconds = 30,
            TokenRefreshSkewSeconds = skewSeconds,
            VatCategoryCacheSeconds = vatCacheSeconds,
        },
        Centra = new CentraOptions { TimeoutSeconds = 30, PageSize = 2 },
        Orders = new OrderSyncOptions { MaxInProcessWaitSeconds = maxWaitSeconds },
    };

    public static Integration Integration(string id = "acme-se") => new()
    {
        Id = id,
        Erp = new ErpSettings
        {
            VismaNet = new VismaNetSettings
            {
                CompanyTenantId = "8e5d1f0a-1111-2222-3333-444455556666",
                ClientId = "junipeer-client",
                ClientSecretName = "visma-secret",
                ApiBaseUrl = VismaBase,
                TokenUrl = TokenUrl,
            },
        },
        Shop = new ShopSettings
        {
            Centra = new CentraSettings { GraphQlUrl = CentraUrl, TokenSecretName = "centra-token", WebhookSecretName = "centra-hook" },
        },
        Vat = new VatSettings
        {
            SellerCountry = "SE",
            Domestic = new VatMapping { TaxZoneId = "SE", VatCategoryByRate = new Dictionary<string, string> { ["25"] = "1" } },
        },
    };

    public static DictionarySecretResolver Secrets() => new(new Dictionary<string, string>
    {
        ["visma-secret"] = "s3cret-value",
        ["centra-token"] = "centra-token-value",
    });

    public static VismaConnectTokenProvider TokenProvider(TimeProvider time, ITokenStore store, JunipeerOptions? options = null, IFlurlClientCache? clients = null)
    {
        var opts = Microsoft.Extensions.Options.Options.Create(options ?? Options());
        return new VismaConnectTokenProvider(clients ?? new FlurlClientCache(), Secrets(), store, new TokenProtector(opts), opts, time,
            NullLogger<VismaConnectTokenProvider>.Instance);
    }

    public static VismaNetErp Erp(TimeProvider time, JunipeerOptions? options = null, InMemoryTokenStore? store = null)
    {
        var opts = options ?? Options();
        var clients = new FlurlClientCache();
        var tokens = TokenProvider(time, store ?? new InMemoryTokenStore(), opts, clients);
        return new VismaNetErp(clients, tokens, Microsoft.Extensions.Options.Options.Create(opts), time, NullLogger<VismaNetErp>.Instance);
    }

    public static CentraOrderSource Centra(TimeProvider time, JunipeerOptions? options = null)
    {
        var opts = Microsoft.Extensions.Options.Options.Create(options ?? Options());
        var client = new CentraGraphQlClient(new FlurlClientCache(), Secrets(), opts, time, NullLogger<CentraGraphQlClient>.Instance);
        return new CentraOrderSource(client, opts, NullLogger<CentraOrderSource>.Instance);
    }

    public static object TokenJson(string token = "tok-1", int expiresIn = 3600) =>
        new { access_token = token, expires_in = expiresIn, token_type = "Bearer", scope = VismaConnectTokenProvider.Scopes };
}
