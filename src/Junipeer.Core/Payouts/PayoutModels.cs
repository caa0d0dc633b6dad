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

    /// <summary>When the PSP created the payout: no booking of it can be older (used to judge whether lost storage can vouch).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    public required IReadOnlyList<PayoutLine> Lines { get; init; }

    /// <summary>Ledger key of the payout: provider + ':' + payout id.</summary>
    public string Key => PayoutKey(Provider, PayoutId);

    public static string PayoutKey(string provider, string payoutId) => provider + ":" + payoutId;
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
