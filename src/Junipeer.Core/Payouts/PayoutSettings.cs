namespace Junipeer.Core.Payouts;

/// <summary>Which Visma invoice field carries the order flow's reference (both are written by the order flow).</summary>
public enum InvoiceReferenceField
{
    CustomerRefNumber,
    ExternalReference,
}

/// <summary>How a PSP fee tied to a sale is booked.</summary>
public enum FeeBooking
{
    /// <summary>Balance write-off on the payment line with <see cref="PayoutFlowSettings.FeeWriteOffReasonCode"/> (Visma option A).</summary>
    WriteOff,

    /// <summary>A charge deducted from the payment (financeCharges) with <see cref="PayoutFlowSettings.FeeChargeEntryType"/> (Visma option B).</summary>
    Charge,
}

/// <summary>How a chargeback (dispute) in a payout is booked. Either way it is reported as an operator event (PAYOUT_CHARGEBACK).</summary>
public enum ChargebackHandling
{
    /// <summary>A customer credit note with the invoice's VAT treatment, applied to the invoice while it is open.</summary>
    CreditNote,

    /// <summary>Nothing is booked for it: the payment of that customer is the payout's net, the invoice keeps the disputed amount open for the operator.</summary>
    ReportOnly,
}

/// <summary>Settings of the payouts flow (integration JSON, section <c>payouts</c>).</summary>
public sealed record PayoutFlowSettings
{
    public bool Enabled { get; init; }

    /// <summary>The invoice field matched against the order flow's reference (Orders.ReferencePrefix + order number).</summary>
    public InvoiceReferenceField ReferenceField { get; init; } = InvoiceReferenceField.CustomerRefNumber;

    public FeeBooking FeeBooking { get; init; } = FeeBooking.WriteOff;

    /// <summary>Visma reason code (usage "Balance write-off") for PSP fees; required with FeeBooking WriteOff.</summary>
    public string? FeeWriteOffReasonCode { get; init; }

    /// <summary>Visma cash entry type for fees booked as charges; required with FeeBooking Charge.</summary>
    public string? FeeChargeEntryType { get; init; }

    /// <summary>How long unmatched transactions of a payout are retried (their invoice may not exist yet).</summary>
    public int UnmatchedRetryHours { get; init; } = 72;

    /// <summary>Minutes between retries of a payout with unmatched transactions.</summary>
    public int UnmatchedRetryMinutes { get; init; } = 60;

    /// <summary>
    /// The payout timer (PayoutSweep) lists payouts created since its last run minus this overlap; it
    /// must cover a payout's creation-to-paid time (Stripe: about 2 business days), hence a week.
    /// </summary>
    public int SweepOverlapMinutes { get; init; } = 10080;

    /// <summary>How chargebacks in a payout are booked (always reported).</summary>
    public ChargebackHandling ChargebackHandling { get; init; } = ChargebackHandling.CreditNote;

    /// <summary>
    /// Refunds made in the shop (Centra payment history entries of type REFUND) become credit notes too,
    /// detected by the Centra order webhook and the payout timer's refund sweep (queue <c>refunds</c>).
    /// </summary>
    public bool ShopRefunds { get; init; }

    /// <summary>Per PSP (key: stripe, adyen, klarna).</summary>
    public IReadOnlyDictionary<string, PspPayoutSettings> Providers { get; init; } = new Dictionary<string, PspPayoutSettings>();
}

/// <summary>One PSP's payout settings.</summary>
public sealed record PspPayoutSettings
{
    /// <summary>Visma payment method of the PSP's payments (e.g. STRIPE).</summary>
    public required string PaymentMethodId { get; init; }

    /// <summary>Visma cash account the payout reaches (the PSP's clearing/bank account, e.g. 1930).</summary>
    public required string CashAccount { get; init; }

    /// <summary>
    /// Prefix the PSP's reference carries before the order number (e.g. "NT-" when the shop sends
    /// NT-5001 to the PSP); removed before the order flow's prefix is put in front. Null: none.
    /// </summary>
    public string? ReferencePrefix { get; init; }

    /// <summary>The PSP API base URL (override; e.g. the Sandbox).</summary>
    public string? ApiBaseUrl { get; init; }

    /// <summary>Secret name of the PSP API key / report credentials.</summary>
    public string? ApiKeySecretName { get; init; }

    /// <summary>Secret name of the PSP webhook signing secret (Stripe whsec_…, Adyen HMAC key).</summary>
    public string? WebhookSecretName { get; init; }

    /// <summary>
    /// Adyen: the merchant accounts whose settlement batches the payout timer looks for when a
    /// REPORT_AVAILABLE notification never came (key: merchant account code). None: the notification
    /// (and <c>junipeer replay</c>) only.
    /// </summary>
    public IReadOnlyDictionary<string, BatchAccountSettings> MerchantAccounts { get; init; } = new Dictionary<string, BatchAccountSettings>();
}

/// <summary>One batch-numbered PSP account the payout timer probes (Adyen merchant account).</summary>
public sealed record BatchAccountSettings
{
    /// <summary>
    /// The first batch number the timer looks for (required, ≥ 1): the first settlement batch this
    /// integration books. Earlier batches are never probed; after lost storage the timer starts here again.
    /// </summary>
    public long FirstBatch { get; init; }
}
