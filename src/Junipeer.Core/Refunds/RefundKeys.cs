using System.Security.Cryptography;
using System.Text;
using Junipeer.Core.Payouts;

namespace Junipeer.Core.Refunds;

/// <summary>
/// The one deterministic key of a refund, shared by the payout path (a refund line of a PSP payout)
/// and the shop path (a REFUND entry in Centra's payment history): the PSP and the PSP's id of the
/// refund. Both paths open the same ledger row (flow <c>refunds</c>, key <c>&lt;psp&gt;:&lt;refund id&gt;</c>)
/// and look the credit note up by the same reference, so a refund seen in both books one credit note.
/// </summary>
public static class RefundKeys
{
    /// <summary>Provider of refunds whose payment method names no known PSP (they never appear in a payout).</summary>
    public const string ShopOnly = "shop";

    /// <summary>Ledger entity key of a refund (flow <see cref="PayoutFlows.Refunds"/>).</summary>
    public static string EntityKey(string provider, string pspRefundId) => provider + ":" + pspRefundId;

    /// <summary>Credit note reference: "RF" + 14 hex of SHA-256 of provider and the PSP's refund id (fits Visma's customerRefNumber).</summary>
    public static string Reference(string provider, string pspRefundId) =>
        "RF" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{provider}|{pspRefundId}")))[..14];

    /// <summary>
    /// The PSP a Centra payment method belongs to, by name: Centra's payment plugins are named after the
    /// PSP (e.g. "adyen-drop-in", "stripe-checkout", "klarna-checkout-v3"); the exact values are not
    /// documented (UNCERTAIN, verify per store), so the PSP's name anywhere in it decides. Anything else is
    /// <see cref="ShopOnly"/>: such refunds are booked from Centra alone.
    /// </summary>
    public static string ProviderOf(string? paymentMethod)
    {
        var m = paymentMethod ?? "";
        foreach (var provider in PayoutProviders.All)
        {
            if (m.Contains(provider, StringComparison.OrdinalIgnoreCase))
                return provider;
        }

        return ShopOnly;
    }
}
