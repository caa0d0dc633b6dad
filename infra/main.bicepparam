// Parameters for `azd provision` / `azd up` (azd picks up infra/main.bicepparam). Values come from
// the azd environment (.azure/<env>/.env, set with `azd env set NAME value`):
//   AZURE_ENV_NAME            azd environment name, used as the tenant slug unless JUNIPEER_TENANT is set
//   JUNIPEER_TENANT           tenant slug (lower-case letters, digits, hyphens; max 12)
//   JUNIPEER_SECRET_NAMES     comma-separated Key Vault secret names (letters and digits only)
//   JUNIPEER_MAX_INSTANCES    Flex maximum instance count (default 4)
//   JUNIPEER_DEPLOYER_ID      object id to grant Secrets Officer + Table Data Contributor (default none)
// For plain `az deployment group create`, use a file under infra/tenants/ instead.
using 'main.bicep'

param tenantSlug = readEnvironmentVariable('JUNIPEER_TENANT', readEnvironmentVariable('AZURE_ENV_NAME', 'dev'))

param location = readEnvironmentVariable('AZURE_LOCATION', 'swedencentral')

param secretNames = filter(
  map(split(readEnvironmentVariable('JUNIPEER_SECRET_NAMES', ''), ','), name => trim(name)),
  name => !empty(name)
)

param maximumInstanceCount = int(readEnvironmentVariable('JUNIPEER_MAX_INSTANCES', '4'))

param deployerPrincipalId = readEnvironmentVariable('JUNIPEER_DEPLOYER_ID', '')
