using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;

namespace Junipeer.Connectors.VismaNet;

/// <summary>Picks the ERP adapter by Erp.Kind. Only Visma.net exists so far.</summary>
public sealed class ErpInvoicingResolver(VismaNetErp vismaNet) : IErpInvoicingResolver
{
    public IErpInvoicing For(Integration integration) => integration.Erp.Kind switch
    {
        ErpKinds.VismaNet => vismaNet,
        _ => throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid,
            $"Integration '{integration.Id}' uses ERP kind '{integration.Erp.Kind}', which has no connector in this version (supported: {ErpKinds.VismaNet})."),
    };
}
