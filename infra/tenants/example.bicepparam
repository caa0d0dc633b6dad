// Example tenant: the merchant "Acme" with two ERP companies (Visma.net Sweden and Norway), each a
// separate integration row fed by the same Centra store. Copy to tenants/<slug>.bicepparam.
//
// Only NAMES of secrets live here. Set the values out of band:
//   az keyvault secret set --vault-name <keyVaultName output> --name <name> --file <file>
// Secret names: letters and digits only (they become app setting names Secrets__<name> on Linux),
// starting with their integration id's letters and digits (acme-se -> acmese...), so one
// integration's settings cannot point at another integration's secrets.
using '../main.bicep'

param tenantSlug = 'acme'

param tags = {
  owner: 'integration-team'
  costCenter: 'acme'
}

param secretNames = [
  // Integration "acme-se": Visma.net company Acme AB + Centra store.
  'acmeseVismaClientSecret'
  'acmeseCentraToken'
  'acmeseCentraWebhookSecret'
  'acmeseCentraWebhookSecretPrevious'
  // Integration "acme-no": Visma.net company Acme AS, same Centra store (its own copies of the
  // store's token and webhook secret: secrets are scoped per integration), its own Visma client.
  'acmenoVismaClientSecret'
  'acmenoCentraToken'
  'acmenoCentraWebhookSecret'
]

// Kept low on purpose: Visma.net limits per company + client per hour, Centra's limits are shared.
param maximumInstanceCount = 4

// Person or pipeline that sets secrets and adds integration rows; empty grants nothing.
param deployerPrincipalId = ''
