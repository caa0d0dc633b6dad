using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Junipeer.Sandbox.Stripe;

/// <summary>One seeded balance transaction (amounts in minor units, as Stripe reports them).</summary>
public sealed record StripeTransactionSeed
{
    /// <summary>charge, refund, adjustment (a dispute), stripe_fee, …</summary>
    public string Type { get; init; } = "charge";

    /// <summary>Gross, signed (refunds and disputes negative).</summary>
    public long Amount { get; init; }

    public long Fee { get; init; }

    /// <summary>The shop's order reference written into the charge's metadata (order_number).</summary>
    public string? OrderReference { get; init; }

    public string? Description { get; init; }

    public string? Id { get; init; }
}

/// <summary>A payout to seed (control plane <c>POST /_sandbox/stripe/payouts</c>).</summary>
public sealed record StripePayoutSeed
{
    public string? Id { get; init; }

    /// <summary>ISO code, any case (stored lower case as Stripe does).</summary>
    public string Currency { get; init; } = "sek";

    /// <summary>Override of the payout amount (minor units); default Σ net of the transactions.</summary>
    public long? Amount { get; init; }

    public DateTimeOffset? ArrivalDate { get; init; }

    public DateTimeOffset? Created { get; init; }

    public string Status { get; init; } = "paid";

    public string ReconciliationStatus { get; init; } = "completed";

    public List<StripeTransactionSeed> Transactions { get; init; } = [];
}

/// <summary>Stripe emulator data: payouts, their balance transactions, charges/refunds/disputes, faults.</summary>
public sealed class StripeState(SandboxState owner)
{
    private readonly object _gate = new();
    private readonly List<JsonObject> _payouts = [];
    private readonly Dictionary<string, List<JsonObject>> _transactions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _chargeByReference = new(StringComparer.Ordinal);
    private int _next;

    public string SecretKey { get; private set; } = owner.Options.StripeSecretKey;

    public string WebhookSecret { get; private set; } = owner.Options.StripeWebhookSecret;

    /// <summary>Next N API calls answer 500.</summary>
    public int Fail5xx { get; set; }

    /// <summary>Next N API calls answer 429.</summary>
    public int RateLimited { get; set; }

    /// <summary>Webhook events the emulator signed (ground truth for the demo).</summary>
    public ConcurrentQueue<string> EventsSent { get; } = new();

    public SandboxState Owner => owner;

    private string NewId(string prefix) => prefix + "_" + Interlocked.Increment(ref _next).ToString("D4", System.Globalization.CultureInfo.InvariantCulture) + "Sbx" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Seeds a payout with its transactions (and the charges/refunds/disputes they come from); returns the payout object.</summary>
    public JsonObject AddPayout(StripePayoutSeed seed)
    {
        lock (_gate)
        {
            var now = owner.Clock.GetUtcNow();
            var currency = seed.Currency.ToLowerInvariant();
            var id = seed.Id ?? NewId("po");
            var txs = new List<JsonObject>();
            foreach (var t in seed.Transactions)
            {
                JsonNode? source = null;
                switch (t.Type)
                {
                    case "charge" or "payment":
                        source = Charge(t.OrderReference, t.Amount, currency, t.Description);
                        break;
                    case "refund" or "payment_refund":
                        {
                            var charge = ChargeIdFor(t.OrderReference, -t.Amount, currency);
                            var refund = new JsonObject { ["id"] = NewId("re"), ["object"] = "refund", ["amount"] = -t.Amount, ["charge"] = charge, ["currency"] = currency, ["metadata"] = new JsonObject() };
                            _objects[(string)refund["id"]!] = refund;
                            source = refund.DeepClone();
                            break;
                        }

                    case "adjustment":
                        {
                            var charge = ChargeIdFor(t.OrderReference, -t.Amount, currency);
                            var dispute = new JsonObject { ["id"] = NewId("dp"), ["object"] = "dispute", ["amount"] = -t.Amount, ["charge"] = charge, ["currency"] = currency, ["metadata"] = new JsonObject() };
                            _objects[(string)dispute["id"]!] = dispute;
                            source = dispute.DeepClone();
                            break;
                        }
                }

                var fee = t.Fee;
                txs.Add(new JsonObject
                {
                    ["id"] = t.Id ?? NewId("txn"),
                    ["object"] = "balance_transaction",
                    ["amount"] = t.Amount,
                    ["available_on"] = now.ToUnixTimeSeconds(),
                    ["created"] = now.ToUnixTimeSeconds(),
                    ["currency"] = currency,
                    ["description"] = t.Description,
                    ["exchange_rate"] = null,
                    ["fee"] = fee,
                    ["fee_details"] = fee == 0 ? new JsonArray() : new JsonArray(new JsonObject { ["amount"] = fee, ["application"] = null, ["currency"] = currency, ["description"] = "Stripe processing fees", ["type"] = "stripe_fee" }),
                    ["net"] = t.Amount - fee,
                    ["reporting_category"] = t.Type,
                    ["source"] = source,
                    ["status"] = "available",
                    ["type"] = t.Type,
                });
            }

            var amount = seed.Amount ?? txs.Sum(x => (long)x["net"]!);
            var payoutTx = new JsonObject
            {
                ["id"] = NewId("txn"),
                ["object"] = "balance_transaction",
                ["amount"] = -amount,
                ["available_on"] = now.ToUnixTimeSeconds(),
                ["created"] = now.ToUnixTimeSeconds(),
                ["currency"] = currency,
                ["description"] = "STRIPE PAYOUT",
                ["exchange_rate"] = null,
                ["fee"] = 0,
                ["fee_details"] = new JsonArray(),
                ["net"] = -amount,
                ["reporting_category"] = "payout",
                ["source"] = id,
                ["status"] = "available",
                ["type"] = "payout",
            };
            txs.Insert(0, payoutTx);
            var payout = new JsonObject
            {
                ["id"] = id,
                ["object"] = "payout",
                ["amount"] = amount,
                ["arrival_date"] = (seed.ArrivalDate ?? now).ToUnixTimeSeconds(),
                ["automatic"] = true,
                ["balance_transaction"] = (string)payoutTx["id"]!,
                ["created"] = (seed.Created ?? now).ToUnixTimeSeconds(),
                ["currency"] = currency,
                ["description"] = "STRIPE PAYOUT",
                ["failure_code"] = null,
                ["livemode"] = false,
                ["metadata"] = new JsonObject(),
                ["method"] = "standard",
                ["reconciliation_status"] = seed.ReconciliationStatus,
                ["statement_descriptor"] = null,
                ["status"] = seed.Status,
                ["type"] = "bank_account",
            };
            _payouts.Add(payout);
            _transactions[id] = txs;
            return (JsonObject)payout.DeepClone();
        }
    }

    private JsonObject Charge(string? reference, long amount, string currency, string? description)
    {
        var charge = new JsonObject
        {
            ["id"] = NewId("ch"),
            ["object"] = "charge",
            ["amount"] = amount,
            ["currency"] = currency,
            ["description"] = description,
            ["metadata"] = reference is null ? new JsonObject() : new JsonObject { ["order_number"] = reference },
            ["payment_intent"] = NewId("pi"),
        };
        _objects[(string)charge["id"]!] = charge;
        if (reference is not null)
            _chargeByReference.TryAdd(reference, (string)charge["id"]!);
        return (JsonObject)charge.DeepClone();
    }

    private string ChargeIdFor(string? reference, long amount, string currency) =>
        reference is not null && _chargeByReference.TryGetValue(reference, out var id) ? id : (string)Charge(reference, amount, currency, null)["id"]!;

    public JsonObject? Payout(string id)
    {
        lock (_gate)
            return _payouts.FirstOrDefault(p => (string?)p["id"] == id)?.DeepClone() as JsonObject;
    }

    /// <summary>Newest first, as Stripe lists.</summary>
    public List<JsonObject> Payouts()
    {
        lock (_gate)
            return [.. _payouts.AsEnumerable().Reverse().Select(p => (JsonObject)p.DeepClone())];
    }

    public List<JsonObject> Transactions(string payoutId)
    {
        lock (_gate)
            return _transactions.TryGetValue(payoutId, out var list) ? [.. list.Select(t => (JsonObject)t.DeepClone())] : [];
    }

    public JsonObject? ApiObject(string id)
    {
        lock (_gate)
            return _objects.GetValueOrDefault(id)?.DeepClone() as JsonObject;
    }

    public void Reset()
    {
        lock (_gate)
        {
            _payouts.Clear();
            _transactions.Clear();
            _objects.Clear();
            _chargeByReference.Clear();
            Fail5xx = 0;
            RateLimited = 0;
            SecretKey = owner.Options.StripeSecretKey;
            WebhookSecret = owner.Options.StripeWebhookSecret;
            EventsSent.Clear();
        }
    }
}
