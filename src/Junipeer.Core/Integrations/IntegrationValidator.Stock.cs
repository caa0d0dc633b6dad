namespace Junipeer.Core.Integrations;

/// <summary>Stock webhook hints (StockFlowSettings.WebhookHints and its signing keys).</summary>
public static partial class IntegrationValidator
{
    private static void StockHintProblems(Integration i, List<string> p, ScopedProblems scoped)
    {
        var stock = i.Stock;
        if (stock.HintDelaySeconds is < 0 or > 300)
        {
            p.Add($"Stock.HintDelaySeconds {stock.HintDelaySeconds} must be 0-300.");
        }

        if (stock.WebhookSecretName is not null)
        {
            scoped.Secret("Stock.WebhookSecretName", stock.WebhookSecretName);
        }

        if (stock.PreviousWebhookSecretName is not null)
        {
            scoped.Secret("Stock.PreviousWebhookSecretName", stock.PreviousWebhookSecretName);
        }

        if (stock.WebhookHints && stock.WebhookSecretName is null && i.Shipments.WebhookSecretName is null)
        {
            p.Add("Stock.WebhookHints needs the signing key of the Visma.net webhook subscription: set Stock.WebhookSecretName "
                  + "(the key the Developer Portal shows for the Inventory Item subscription) or Shipments.WebhookSecretName when one subscription sends both.");
        }
    }
}
