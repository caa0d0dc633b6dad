metadata name = 'Junipeer tenant'
metadata description = 'One Junipeer tenant (one merchant, any number of ERP companies / integrations) in one resource group: identity, storage, monitoring, Key Vault, Flex Consumption function app and role assignments.'

targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------
// Tenant
// ---------------------------------------------------------------------------------------------

@description('Required. Short tenant slug: lower-case letters, digits and hyphens, e.g. "acme". Part of every resource name.')
@minLength(2)
@maxLength(12)
param tenantSlug string

@description('Optional. Azure region. Defaults to the resource group location.')
param location string = resourceGroup().location

@description('Optional. Tags applied to every resource.')
param tags object = {}

@description('''Optional. Names of the Key Vault secrets the integrations of this tenant reference
(Visma client secrets, Centra tokens, current and previous Centra webhook secrets, PSP keys, OAuth
client secrets). Each becomes the app setting Secrets__<name> = Key Vault reference, read by the code
as configuration key Secrets:<name>. Letters and digits only (see docs/deploy.md): Key Vault allows
hyphens but Linux app setting names do not. The values are set out of band, never here.''')
param secretNames string[] = []

@description('Optional. Key Vault secret holding the base64 32-byte key that encrypts cached tokens at rest.')
param tokenEncryptionKeySecretName string = 'token-encryption-key'

// ---------------------------------------------------------------------------------------------
// Options read by the code (section "Junipeer"; ranges mirror the DataAnnotations in JunipeerOptions)
// ---------------------------------------------------------------------------------------------

@description('Optional. Six-field NCRONTAB schedule (UTC) of the order fallback sweep timer.')
param orderSweepSchedule string = '0 */5 * * * *'

@description('Optional. Six-field NCRONTAB schedule (UTC) of the stock timer (Visma.net to Centra).')
param stockSyncSchedule string = '0 */2 * * * *'

@description('NCRONTAB schedule of the customer sync (Centra <-> Visma.net), six fields, UTC.')
param customerSyncSchedule string = '0 */5 * * * *'

@description('NCRONTAB schedule of the product sync (articles / products in the direction set per integration), six fields, UTC.')
param productSyncSchedule string = '0 */10 * * * *'

@description('NCRONTAB schedule of the shipment fallback sweep (Visma shipments confirmed since the checkpoint).')
param shipmentSweepSchedule string = '0 */5 * * * *'

@description('Six-field NCRONTAB (UTC) of the payout fallback timer (PayoutSweep).')
param payoutSweepSchedule string = '0 0 * * * *'

@description('Optional. Junipeer:Payouts:BatchProbesPerRun: Adyen batches the payout timer asks for per merchant account and run.')
@minValue(1)
@maxValue(100)
param payoutsBatchProbesPerRun int = 5

@description('Optional. Junipeer:Payouts:BatchOverdueHours: hours without a new Adyen settlement batch for a merchant account before the payout timer raises PAYOUT_BATCH_OVERDUE.')
@minValue(1)
@maxValue(8760)
param payoutsBatchOverdueHours int = 72

@description('Optional. Junipeer:VismaNet:ApiBaseUrl.')
param vismaNetApiBaseUrl string = 'https://api.finance.visma.net'

@description('Optional. Junipeer:VismaNet:TokenUrl.')
param vismaNetTokenUrl string = 'https://connect.visma.com/connect/token'

@description('Optional. Junipeer:VismaNet:TimeoutSeconds.')
@minValue(1)
@maxValue(600)
param vismaNetTimeoutSeconds int = 60

@description('Optional. Junipeer:VismaNet:AuthorizeUrl (interactive Visma Connect).')
param vismaNetAuthorizeUrl string = 'https://connect.visma.com/connect/authorize'

@description('Optional. Junipeer:VismaNet:TestApiBaseUrl (integrations with environment Test; empty: not configured).')
param vismaNetTestApiBaseUrl string = ''

@description('Optional. Junipeer:VismaNet:TestTokenUrl (empty: TokenUrl).')
param vismaNetTestTokenUrl string = ''

@description('Optional. Junipeer:VismaNet:TestAuthorizeUrl (empty: AuthorizeUrl).')
param vismaNetTestAuthorizeUrl string = ''

@description('Optional. Junipeer:Connect:PublicBaseUrl: public https origin for the OAuth redirect URI (empty: the request origin).')
param connectPublicBaseUrl string = ''

@description('Optional. Junipeer:VismaNet:TokenRefreshSkewSeconds.')
@minValue(0)
@maxValue(3600)
param vismaNetTokenRefreshSkewSeconds int = 300

@description('Optional. Junipeer:VismaNet:VatCategoryCacheSeconds.')
@minValue(0)
@maxValue(86400)
param vismaNetVatCategoryCacheSeconds int = 3600

@description('Optional. Junipeer:Centra:TimeoutSeconds.')
@minValue(1)
@maxValue(600)
param centraTimeoutSeconds int = 30

@description('Optional. Junipeer:Centra:PageSize.')
@minValue(1)
@maxValue(200)
param centraPageSize int = 50

@description('Optional. Junipeer:Orders:LeaseSeconds.')
@minValue(10)
@maxValue(3600)
param ordersLeaseSeconds int = 300

@description('Optional. Junipeer:Orders:MaxInProcessWaitSeconds.')
@minValue(0)
@maxValue(120)
param ordersMaxInProcessWaitSeconds int = 10

@description('Optional. Junipeer:Orders:MaxRequeues.')
@minValue(1)
@maxValue(1000)
param ordersMaxRequeues int = 50

@description('Optional. Junipeer:Orders:DocumentIndexRefreshSeconds.')
@minValue(1)
@maxValue(3600)
param ordersDocumentIndexRefreshSeconds int = 15

@description('Optional. Junipeer:Orders:DocumentIndexWindowDays.')
@minValue(1)
@maxValue(400)
param ordersDocumentIndexWindowDays int = 35

@description('Optional. Junipeer:Orders:OrderNotFoundRetryMinutes.')
@minValue(0)
@maxValue(1440)
param ordersOrderNotFoundRetryMinutes int = 30

@description('Optional. Junipeer:Webhooks:ToleranceSeconds.')
@minValue(1)
@maxValue(3600)
param webhooksToleranceSeconds int = 300

@description('Optional. Junipeer:Webhooks:IntegrationCacheSeconds (how long integration settings are served from memory; 0 = off).')
@minValue(0)
@maxValue(300)
param webhooksIntegrationCacheSeconds int = 30

// Operator console (/api/console). In Azure operators sign in through App Service Authentication
// (Entra ID), configured on the app (authsettingsV2 in modules/functionapp.bicep) when
// consoleEntraClientId names an app registration: every request needs a signed-in principal except
// the webhook and OAuth callback routes (they prove themselves: signatures, one-time state). Only
// then does the code trust the X-MS-CLIENT-PRINCIPAL headers (Junipeer__Console__EasyAuth = true);
// without a registration it stays false and the console answers 401 CONSOLE_AUTH_NOT_CONFIGURED.
// The admin-secret sign-in (local runs) is off in Azure. docs/deploy.md explains the registration.
@description('Optional. Junipeer:Console:EasyAuth (trust App Service Authentication principal headers for the console). Takes effect only with consoleEntraClientId.')
param consoleEasyAuth bool = true

@description('Optional. Client id (GUID) of the Entra ID app registration operators sign in with. Empty: no App Service Authentication, the console stays closed (CONSOLE_AUTH_NOT_CONFIGURED).')
param consoleEntraClientId string = ''

@description('Optional. Entra ID tenant id of that app registration. Defaults to the tenant of the deployment.')
param consoleEntraTenantId string = tenant().tenantId

@description('Optional. Key Vault secret name of the app registration\'s client secret (authorization-code sign-in). Empty: ID-token sign-in; enable "ID tokens" on the registration.')
param consoleEntraClientSecretName string = ''

@description('Optional. Junipeer:Console:SessionMinutes (console sign-in lifetime for admin-secret sessions).')
@minValue(5)
@maxValue(1440)
param consoleSessionMinutes int = 480

// ---------------------------------------------------------------------------------------------
// Scale
// ---------------------------------------------------------------------------------------------

// Why the cap is low: Visma.net rate-limits per company + client per hour, and Centra's API
// limits are shared by everything that talks to the store. Scale-out multiplies concurrency:
// host.json lets each instance run up to batchSize 4 + newBatchThreshold 2 = 6 queue messages per
// queue function at once, so 4 instances already mean ~24 concurrent order syncs - far more than
// one company's hourly budget needs, and throttled work is re-enqueued with a delay anyway.
// More instances would only burn the shared quota faster and turn 429s into poison messages.
@description('Optional. Flex Consumption maximum instance count. Keep it low: ERP and shop rate limits are per company/client, not per instance.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 4

@description('Optional. Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Optional. Always-ready HTTP instances (webhooks / OAuth callback). 0 = scale to zero (cold start on first webhook).')
@minValue(0)
@maxValue(10)
param httpAlwaysReadyInstanceCount int = 0

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

@description('Optional. Storage redundancy.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Optional. Log Analytics retention in days.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Optional. E-mail addresses that receive operator alerts (SWEEP_FAILED, WEBHOOK_REJECTED, CONNECTION_AUTH_FAILED; infra/modules/alerts.bicep). Empty: the alert rules fire in Azure Monitor but notify no one.')
param alertEmails string[] = []

@description('Optional. Whether the operator alert rules are evaluated.')
param alertsEnabled bool = true

@description('Optional. "recover" brings back a soft-deleted vault of the same name (redeploy after a tear-down within the retention period).')
@allowed([
  'default'
  'recover'
])
param keyVaultCreateMode string = 'default'

@description('Optional. Object id of a person or pipeline that operates this tenant. Empty (default) grants nothing. When set: Key Vault Secrets Officer (set secrets) and Storage Table Data Contributor (junipeer integration add).')
param deployerPrincipalId string = ''

@description('Optional. Kind of the deployer principal.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param deployerPrincipalType string = 'User'

// ---------------------------------------------------------------------------------------------

@description('True when a name is usable both as a Key Vault secret name and inside a Linux app setting name.')
func isPortableSecretName(name string) bool =>
  length(name) >= 1 && length(name) <= 100 && empty(filter(
    range(0, length(name)),
    i => !contains('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', substring(name, i, 1))
  ))

var token = uniqueString(subscription().id, resourceGroup().id, tenantSlug)
var slugCompact = toLower(replace(tenantSlug, '-', ''))
var allTags = union(tags, { 'junipeer-tenant': tenantSlug })

var names = {
  identity: 'id-junipeer-${tenantSlug}'
  storage: 'st${take(slugCompact, 9)}${token}'
  workspace: 'log-junipeer-${tenantSlug}'
  appInsights: 'appi-junipeer-${tenantSlug}'
  keyVault: 'kv-${take(slugCompact, 7)}-${token}'
  plan: 'plan-junipeer-${tenantSlug}'
  functionApp: 'func-junipeer-${tenantSlug}-${token}'
}

// Built-in role definition ids.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// Secrets__<name> = reference without a version, so a rotated secret is picked up on refresh.
var secretReferenceSettings = toObject(
  secretNames,
  name =>
    isPortableSecretName(name)
      ? 'Secrets__${name}'
      : fail('Secret name "${name}" must be 1-100 letters or digits: it becomes part of a Linux app setting name.'),
  name => '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName=${name})'
)

module identity 'modules/identity.bicep' = {
  name: take('${deployment().name}-identity', 64)
  params: {
    name: names.identity
    location: location
    tags: allTags
  }
}

module storage 'modules/storage.bicep' = {
  name: take('${deployment().name}-storage', 64)
  params: {
    name: names.storage
    location: location
    tags: allTags
    skuName: storageSkuName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: take('${deployment().name}-monitoring', 64)
  params: {
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    location: location
    tags: allTags
    retentionInDays: logRetentionInDays
  }
}

module alerts 'modules/alerts.bicep' = {
  name: take('${deployment().name}-alerts', 64)
  params: {
    appInsightsResourceId: monitoring.outputs.appInsightsResourceId
    namePrefix: 'junipeer-${tenantSlug}'
    location: location
    tags: allTags
    alertEmails: alertEmails
    enabled: alertsEnabled
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: take('${deployment().name}-keyvault', 64)
  params: {
    name: names.keyVault
    location: location
    tags: allTags
    createMode: keyVaultCreateMode
  }
}

// The app identity: host storage (blob leases, timer monitor, deployment package), its own
// queues and tables, Key Vault references, and AAD-authenticated telemetry. Nothing else.
module appIdentityRoles 'modules/rbac.bicep' = {
  name: take('${deployment().name}-rbac-app', 64)
  params: {
    // A new identity's principal id is only known at deployment time, so what-if cannot predict
    // these assignment names; the names stay guid(scope, principal, role) for idempotency.
    #disable-next-line what-if-short-circuiting
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    storageAccountName: names.storage
    storageRoleDefinitionIds: [
      roles.storageBlobDataOwner
      roles.storageQueueDataContributor
      roles.storageTableDataContributor
    ]
    keyVaultName: names.keyVault
    keyVaultRoleDefinitionIds: [
      roles.keyVaultSecretsUser
    ]
    appInsightsName: names.appInsights
    appInsightsRoleDefinitionIds: [
      roles.monitoringMetricsPublisher
    ]
  }
  // Scopes are passed by name (known before deployment, so what-if stays precise); order explicitly.
  dependsOn: [
    storage
    keyVault
    monitoring
  ]
}

module deployerRoles 'modules/rbac.bicep' = if (!empty(deployerPrincipalId)) {
  name: take('${deployment().name}-rbac-deployer', 64)
  params: {
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    storageAccountName: names.storage
    storageRoleDefinitionIds: [
      roles.storageTableDataContributor
    ]
    keyVaultName: names.keyVault
    keyVaultRoleDefinitionIds: [
      roles.keyVaultSecretsOfficer
    ]
    appInsightsName: names.appInsights
  }
  dependsOn: [
    storage
    keyVault
    monitoring
  ]
}

// Keep infra/app-settings.json in sync with the names below (.ci/bicep.sh checks it).
module functionApp 'modules/functionapp.bicep' = {
  name: take('${deployment().name}-functionapp', 64)
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: allTags
    siteTags: union(allTags, { 'azd-service-name': 'functions' })
    userAssignedIdentityResourceId: identity.outputs.resourceId
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${storage.outputs.deploymentContainerName}'
    runtimeName: 'dotnet-isolated'
    runtimeVersion: '10.0'
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    httpAlwaysReadyInstanceCount: httpAlwaysReadyInstanceCount
    consoleEntraClientId: consoleEntraClientId
    consoleEntraTenantId: consoleEntraTenantId
    consoleEntraClientCredentialSetting: empty(consoleEntraClientSecretName) ? '' : 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET'
    // Routes that authenticate themselves stay reachable without an Entra sign-in: webhooks (HMAC
    // signatures) and the OAuth callback (one-time state + PKCE). Everything else, the console and
    // GET /api/connect/* included, needs a signed-in operator.
    unauthenticatedPaths: [
      '/api/webhooks/*'
      '/api/oauth/callback/*'
    ]
    appSettings: {
      // Host storage and the app's own Table/Queue clients: identity-based, no keys.
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.outputs.clientId
      AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
      AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
      AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
      // Telemetry: Entra ID ingestion with the app identity.
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
      // Timer schedule, bound as %OrderSweepSchedule%.
      OrderSweepSchedule: orderSweepSchedule
      // Timer schedule, bound as %StockSyncSchedule%.
      StockSyncSchedule: stockSyncSchedule
      // Timer schedule, bound as %CustomerSyncSchedule%.
      CustomerSyncSchedule: customerSyncSchedule
      // Timer schedule, bound as %ProductSyncSchedule%.
      ProductSyncSchedule: productSyncSchedule
      // Timer schedule, bound as %ShipmentSweepSchedule%.
      ShipmentSweepSchedule: shipmentSweepSchedule
      // Timer schedule, bound as %PayoutSweepSchedule%.
      PayoutSweepSchedule: payoutSweepSchedule
      // Options section "Junipeer".
      Junipeer__TokenEncryptionKey: '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName=${tokenEncryptionKeySecretName})'
      Junipeer__VismaNet__ApiBaseUrl: vismaNetApiBaseUrl
      Junipeer__VismaNet__TokenUrl: vismaNetTokenUrl
      Junipeer__VismaNet__TimeoutSeconds: string(vismaNetTimeoutSeconds)
      Junipeer__VismaNet__AuthorizeUrl: vismaNetAuthorizeUrl
      Junipeer__VismaNet__TestApiBaseUrl: vismaNetTestApiBaseUrl
      Junipeer__VismaNet__TestTokenUrl: vismaNetTestTokenUrl
      Junipeer__VismaNet__TestAuthorizeUrl: vismaNetTestAuthorizeUrl
      Junipeer__Connect__PublicBaseUrl: connectPublicBaseUrl
      Junipeer__VismaNet__TokenRefreshSkewSeconds: string(vismaNetTokenRefreshSkewSeconds)
      Junipeer__VismaNet__VatCategoryCacheSeconds: string(vismaNetVatCategoryCacheSeconds)
      Junipeer__Centra__TimeoutSeconds: string(centraTimeoutSeconds)
      Junipeer__Centra__PageSize: string(centraPageSize)
      Junipeer__Orders__LeaseSeconds: string(ordersLeaseSeconds)
      Junipeer__Orders__MaxInProcessWaitSeconds: string(ordersMaxInProcessWaitSeconds)
      Junipeer__Orders__MaxRequeues: string(ordersMaxRequeues)
      Junipeer__Orders__DocumentIndexRefreshSeconds: string(ordersDocumentIndexRefreshSeconds)
      Junipeer__Orders__DocumentIndexWindowDays: string(ordersDocumentIndexWindowDays)
      Junipeer__Orders__OrderNotFoundRetryMinutes: string(ordersOrderNotFoundRetryMinutes)
      Junipeer__Webhooks__ToleranceSeconds: string(webhooksToleranceSeconds)
      Junipeer__Webhooks__IntegrationCacheSeconds: string(webhooksIntegrationCacheSeconds)
      // Development switch (loopback http URLs for the Sandbox): always off in Azure.
      Junipeer__Development__AllowLoopbackHttp: 'false'
      // Operator console: App Service Authentication signs operators in; no admin secret in Azure.
      Junipeer__Console__EasyAuth: consoleEasyAuth && !empty(consoleEntraClientId) ? 'true' : 'false'
      Junipeer__Console__AdminSecret: ''
      Junipeer__Console__SessionMinutes: string(consoleSessionMinutes)
      Junipeer__Payouts__BatchProbesPerRun: string(payoutsBatchProbesPerRun)
      Junipeer__Payouts__BatchOverdueHours: string(payoutsBatchOverdueHours)
    }
    keyVaultReferenceSettings: union(secretReferenceSettings, empty(consoleEntraClientSecretName) ? {} : {
      MICROSOFT_PROVIDER_AUTHENTICATION_SECRET: '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName=${consoleEntraClientSecretName})'
    })
  }
  // The app must not start (and resolve references or take leases) before its roles exist.
  dependsOn: [
    appIdentityRoles
  ]
}

@description('Name of the function app.')
output functionAppName string = functionApp.outputs.name

@description('Default host name of the function app (webhook and OAuth callback URLs hang off https://<this>/api/).')
output functionAppDefaultHostname string = functionApp.outputs.defaultHostname

@description('Name of the tenant Key Vault (az keyvault secret set --vault-name <this>).')
output keyVaultName string = keyVault.outputs.name

@description('Name of the tenant storage account (the junipeer CLI talks to its tables and queues).')
output storageAccountName string = storage.outputs.name

@description('True when App Service Authentication (Entra ID) protects the console.')
output consoleEasyAuthConfigured bool = functionApp.outputs.easyAuthConfigured

@description('Client id of the app identity.')
output identityClientId string = identity.outputs.clientId
