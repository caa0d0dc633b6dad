using Junipeer.Core.Integrations;

namespace Junipeer.Core.Payouts;

/// <summary>What a payout line is, shop- and PSP-neutral.</summary>
public enum PayoutLineKind
{
    /// <summary>A captured sale paid out (Adyen Settled, Klarna SALE, Stripe charge/payment).</summary>
    Sale,

    /// <summary>Money returned to the buyer (Adyen Refunded, Klarna RETURN, Stripe refund).</summary>
    Refund,

    /// <summary>A dispute debited by the PSP (Adyen Chargeback, Stripe adjustment for a dispute).</summary>
    Chargeback,

    /// <summary>A fee not tied to one sale (Adyen Fee rows, Klarna FEE without capture, Stripe stripe_fee).</summary>
    Fee,

    /// <summary>Anything else that moves the payout's amount (reserves, corrections, carried balances).</summary>
    Other,
}

/// <summary>
/// One transaction of a payout. Amounts are in the payout currency (major units): <see cref="Gross"/>
/// is positive for money in (sales) and negative for money out (refunds, chargebacks);
/// <see cref="Fee"/> is what the PSP kept (positive = a cost). Net = Gross − Fee.
/// </summary>
public sealed record PayoutLine
{
    /// <summary>The PSP's id of the transaction (Stripe txn_…, Adyen modification pspReference, Klarna capture/refund id).</summary>
    public required string TransactionId { get; init; }

    public required PayoutLineKind Kind { get; init; }

    /// <summary>The reference the shop sent to the PSP (merchant reference, metadata order number), raw.</summary>
    public string? Reference { get; init; }

    public required decimal Gross { get; init; }

    public decimal Fee { get; init; }

    public decimal Net => Gross - Fee;

    /// <summary>The transaction's own currency as the PSP reports it (must equal the payout's).</summary>
    public required string Currency { get; init; }

    public string? Description { get; init; }

    /// <summary>
    /// The PSP's id of the refund as the shop records it (Centra: the REFUND entry's externalReference),
    /// when it differs from <see cref="TransactionId"/> (Stripe: the refund re_… behind the balance
    /// transaction txn_…). Refunds are keyed by it, so one seen in the shop and in the payout is booked once.
    /// </summary>
    public string? RefundId { get; init; }

    /// <summary>The id a refund or chargeback is keyed by (ledger row and credit note reference).</summary>
    public string RefundKeyId => RefundId ?? TransactionId;
}

/// <summary>A payout (settlement batch) as one PSP reports it: the money that reached the bank and what it is made of.</summary>
public sealed record Payout
{
    /// <summary><see cref="PayoutProviders"/>.</summary>
    public required string Provider { get; init; }

    /// <summary>The PSP's payout id (Stripe po_…, Adyen batch number, Klarna payment_reference).</summary>
    public required string PayoutId { get; init; }

    public required string Currency { get; init; }

    /// <summary>What was paid to the bank (major units).</summary>
    public required decimal Total { get; init; }

    /// <summary>The payment date booked in the ERP (arrival date of the bank credit).</summary>
    public required DateOnly Date { get; init; }

    /// <summary>
    /// When the PSP created the payout: the exact instant when <see cref="CreatedAtPrecision"/> is
    /// <see cref="CreationTimePrecision.Instant"/>, otherwise the EARLIEST instant the PSP's zone-less
    /// time could mean (see <see cref="CreatedAtLatest"/> for the latest). No booking of it can be older.
    /// </summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>How exactly the PSP told the creation time (Adyen: a local time with no UTC offset).</summary>
    public CreationTimePrecision CreatedAtPrecision { get; init; } = CreationTimePrecision.Instant;

    /// <summary>
    /// The latest instant the creation time could mean: <see cref="CreatedAt"/> for an exact instant;
    /// for a zone-less time the one the PSP printed read at the westernmost offset in use (UTC−12:00), for a
    /// zone-less date the end of that day there. Set by <see cref="WithZonelessCreation"/>.
    /// </summary>
    public DateTimeOffset CreatedAtLatest
    {
        get => _createdAtLatest ?? CreatedAt;
        init => _createdAtLatest = value;
    }

    private readonly DateTimeOffset? _createdAtLatest;

    /// <summary>
    /// A payout whose creation the PSP reports as a wall-clock time (or only a date) with no UTC offset:
    /// <see cref="CreatedAt"/> and <see cref="CreatedAtLatest"/> become the earliest and the latest instant it
    /// can mean (offsets in use run from UTC−12:00 to UTC+14:00), <see cref="CreatedAtPrecision"/> says which.
    /// </summary>
    public static (DateTimeOffset Earliest, DateTimeOffset Latest) ZonelessBounds(DateTime local, CreationTimePrecision precision)
    {
        var wall = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return precision switch
        {
            CreationTimePrecision.LocalTimeNoZone => (new DateTimeOffset(wall, EarliestOffset), new DateTimeOffset(wall, LatestOffset)),
            CreationTimePrecision.DateNoZone => (new DateTimeOffset(wall.Date, EarliestOffset), new DateTimeOffset(wall.Date.AddDays(1).AddTicks(-1), LatestOffset)),
            _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "an exact instant has no bounds"),
        };
    }

    /// <summary>This payout with its creation known only as <paramref name="local"/> (no zone) to <paramref name="precision"/>.</summary>
    public Payout WithZonelessCreation(DateTime local, CreationTimePrecision precision)
    {
        var (earliest, latest) = ZonelessBounds(local, precision);
        return this with { CreatedAt = earliest, CreatedAtLatest = latest, CreatedAtPrecision = precision };
    }

    /// <summary>The easternmost UTC offset in use (Kiribati): a zone-less local time is no earlier than itself read at it.</summary>
    public static readonly TimeSpan EarliestOffset = TimeSpan.FromHours(14);

    /// <summary>The westernmost UTC offset (Baker Island): a zone-less local time is no later than itself read at it.</summary>
    public static readonly TimeSpan LatestOffset = TimeSpan.FromHours(-12);

    public required IReadOnlyList<PayoutLine> Lines { get; init; }

    /// <summary>Ledger key of the payout: provider + ':' + payout id.</summary>
    public string Key => PayoutKey(Provider, PayoutId);

    public static string PayoutKey(string provider, string payoutId) => provider + ":" + payoutId;
}

/// <summary>How exactly a PSP tells when a payout was created.</summary>
public enum CreationTimePrecision
{
    /// <summary>An instant (Stripe <c>created</c>, Klarna <c>payout_date</c> with its offset).</summary>
    Instant,

    /// <summary>A wall-clock time in the account's zone, which is not given as an offset (Adyen's report <c>Creation Date</c>).</summary>
    LocalTimeNoZone,

    /// <summary>Only a calendar date in an unknown zone.</summary>
    DateNoZone,
}

public static class PayoutProviders
{
    public const string Stripe = "stripe";
    public const string Adyen = "adyen";
    public const string Klarna = "klarna";

    public static readonly IReadOnlyList<string> All = [Stripe, Adyen, Klarna];
}

/// <summary>
/// Port: one PSP's payouts. Implementations page through the PSP's API (or report) and return
/// payouts with their transactions already converted to major units and signed as
/// <see cref="PayoutLine"/> says.
/// </summary>
public interface IPayoutSource
{
    /// <summary><see cref="PayoutProviders"/>.</summary>
    string Provider { get; }

    /// <summary>The payout with all its transactions; null when the PSP does not know it (or it is not paid / reconciled yet).</summary>
    Task<Payout?> GetPayoutAsync(Integration integration, string payoutId, CancellationToken cancellationToken);

    /// <summary>Ids of payouts paid (and ready to reconcile) since <paramref name="since"/>: the timer fallback.</summary>
    Task<IReadOnlyList<string>> ListPayoutIdsAsync(Integration integration, DateTimeOffset since, CancellationToken cancellationToken);
}
