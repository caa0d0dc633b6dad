using System.Globalization;
using System.Runtime.CompilerServices;
using Junipeer.Connectors.Centra.Dtos;
using Junipeer.Connectors.Http;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Shop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Connectors.Centra;

/// <summary>
/// Reads orders from Centra's Integration API (GraphQL, POST CentraSettings.GraphQlUrl).
/// GetOrder → one OrderByNumber call; GetOrdersChangedSince → OrdersChangedSince pages (keyset on
/// updatedAt, see there). Reads are retried on 5xx, timeouts, connection failures and short 429s.
/// </summary>
public sealed class CentraOrderSource : IShopOrderSource
{
    public const string UserAgent = CentraGraphQlClient.UserAgent;
    private const int MaxPages = 10_000;

    private readonly CentraGraphQlClient _client;
    private readonly JunipeerOptions _options;
    private readonly ILogger<CentraOrderSource> _logger;

    public CentraOrderSource(CentraGraphQlClient client, IOptions<JunipeerOptions> options, ILogger<CentraOrderSource> logger)
    {
        _client = client;
        _options = options.Value;
        _logger = logger;
    }

    public async Task<ShopOrder?> GetOrderAsync(Integration integration, string orderNumber, CancellationToken cancellationToken)
    {
        if (!int.TryParse(orderNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            _logger.LogWarning("'{OrderNumber}' is not a Centra order number", orderNumber);
            return null;
        }

        var data = await QueryAsync(integration, CentraQueries.OrderByNumberOperation, CentraQueries.OrderByNumber,
            new Dictionary<string, object> { ["number"] = number }, cancellationToken);
        var order = data.Orders?.FirstOrDefault(o => o.Number == number);
        return order is null ? null : CentraOrderMapper.Map(order);
    }

    /// <summary>
    /// Keyset paging on updatedAt. Centra's OrderFilter can say "updatedAt from t" (a DateRange) but
    /// not "(updatedAt, id) &gt; (t, n)", and its page numbers shift when an order changes mid-read
    /// (the changed order moves to the end, so the next page would skip one). So each request asks for
    /// updatedAt &gt;= the highest updatedAt read so far, page 1, sorted updatedAt_ASC then id_ASC, and
    /// skips client side what this read already returned (same number and updatedAt). Only when a whole
    /// page shares one updatedAt (the keyset cannot advance) does the page number grow. A page's
    /// checkpoint is the highest updatedAt on it: every order before that instant has been returned.
    /// </summary>
    public async IAsyncEnumerable<ShopOrderPage> GetOrdersChangedSinceAsync(Integration integration, DateTimeOffset since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = integration.Shop.Centra?.OrderFilter;
        var storeIds = Ints(filter?.StoreIds);
        var marketIds = Ints(filter?.MarketIds);
        var query = CentraQueries.OrdersChangedSince(storeIds.Count > 0, marketIds.Count > 0);
        var limit = Math.Max(1, _options.Centra.PageSize);
        var seen = new HashSet<(long, DateTimeOffset)>();
        var from = since;
        var page = 1;
        for (var request = 0; request < MaxPages; request++)
        {
            var variables = new Dictionary<string, object>
            {
                ["from"] = from.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
                ["limit"] = limit,
                ["page"] = page,
            };
            if (storeIds.Count > 0)
                variables["storeIds"] = storeIds;
            if (marketIds.Count > 0)
                variables["marketIds"] = marketIds;
            var data = await QueryAsync(integration, CentraQueries.OrdersChangedSinceOperation, query, variables, cancellationToken);
            var orders = data.Orders ?? [];
            if (orders.Count == 0)
                yield break;

            var refs = new List<ShopOrderRef>();
            var max = from;
            foreach (var order in orders)
            {
                if (order.Number is not { } n)
                    continue;
                var updated = CentraOrderMapper.ParseDate(order.UpdatedAt) ?? from;
                if (updated > max)
                    max = updated;
                if (seen.Add((n, updated)))
                {
                    refs.Add(new ShopOrderRef(n.ToString(CultureInfo.InvariantCulture), updated, order.Store?.Id, order.Market?.Id,
                        order.ShippingAddress?.Country?.Code?.Trim().ToUpperInvariant()));
                }
            }

            yield return new ShopOrderPage(refs, max);
            if (orders.Count < limit)
                yield break;

            if (max > from)
            {
                from = max;
                page = 1;
            }
            else
            {
                page++;
            }
        }

        throw new CentraApiException(ErrorCodes.ShopQueryFailed, $"Centra kept returning full pages after {MaxPages} requests; the sweep stops here and resumes from its checkpoint.", FailureKind.Rejected);
    }

    private static List<int> Ints(IReadOnlyList<string>? values) =>
        [.. (values ?? []).Select(v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? (int?)i : null).OfType<int>()];

    private Task<OrdersData> QueryAsync(Integration integration, string operationName, string query, Dictionary<string, object> variables, CancellationToken cancellationToken) =>
        _client.QueryAsync<OrdersData>(integration, operationName, query, variables, cancellationToken);
}
