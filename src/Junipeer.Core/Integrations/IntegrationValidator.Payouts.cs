using System.Text.RegularExpressions;
using Junipeer.Core.Payouts;

namespace Junipeer.Core.Integrations;

/// <summary>Checks of the payouts settings the payout timer depends on.</summary>
public static partial class IntegrationValidator
{
    /// <summary>An Adyen merchant account code as it appears in the report download path.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")]
    private static partial Regex MerchantAccountCode();

    /// <summary>
    /// <c>payouts.providers.&lt;psp&gt;.merchantAccounts</c>: only for Adyen (the PSP with numbered batches and no
    /// listing), keys are merchant account codes, and each names the first batch to look for (≥ 1): the timer
    /// never guesses where an account's history starts, or it would book batches from before the go-live.
    /// </summary>
    private static void PayoutSettingsProblems(List<string> p, ScopedProblems scoped, PayoutFlowSettings payouts)
    {
        foreach (var (psp, settings) in payouts.Providers)
        {
            // Like every other vendor: the PSP's credentials are this integration's own secrets, and its API URL
            // (an override, e.g. the Sandbox) is https on the PSP's own hosts, so whoever can write settings
            // cannot send a key to a host of their choice or use another integration's key.
            if (settings is not null)
            {
                if (VendorHosts.ForPsp(psp) is { } hosts)
                    scoped.Url($"Payouts.Providers.{psp}.ApiBaseUrl", settings.ApiBaseUrl, optional: true, hosts);
                else
                    p.Add($"Payouts.Providers key '{psp}' is not a supported PSP ({string.Join(", ", PayoutProviders.All)}).");
                if (settings.ApiKeySecretName is not null)
                    scoped.Secret($"Payouts.Providers.{psp}.ApiKeySecretName", settings.ApiKeySecretName);
                if (settings.WebhookSecretName is not null)
                    scoped.Secret($"Payouts.Providers.{psp}.WebhookSecretName", settings.WebhookSecretName);
            }

            if (settings?.MerchantAccounts is not { Count: > 0 } accounts)
                continue;
            if (psp != PayoutProviders.Adyen)
            {
                p.Add($"Payouts.Providers.{psp}.MerchantAccounts is for Adyen only (numbered settlement batches).");
                continue;
            }

            foreach (var (account, a) in accounts)
            {
                if (!MerchantAccountCode().IsMatch(account ?? ""))
                    p.Add($"Payouts.Providers.adyen.MerchantAccounts key '{account}' must be an Adyen merchant account code (letters, digits, '_', '.', '-'; at most 80).");
                if (a is null || a.FirstBatch < 1)
                    p.Add($"Payouts.Providers.adyen.MerchantAccounts.{account}.FirstBatch must be the first settlement batch number to book (1 or more).");
            }
        }
    }
}
