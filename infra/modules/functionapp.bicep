metadata name = 'Flex Consumption function app'
metadata description = 'A Linux Flex Consumption (FC1) plan and one function app running as a user-assigned identity: identity-based deployment storage, Key Vault references resolved with that identity, HTTPS only, no FTP and no basic publishing credentials.'

@description('Required. Name of the function app (globally unique host name).')
@minLength(2)
@maxLength(60)
param name string

@description('Required. Name of the Flex Consumption plan.')
param planName string

@description('Optional. Location for the plan and the app.')
param location string = resourceGroup().location

@description('Optional. Tags of the plan.')
param tags object = {}

@description('Optional. Tags of the function app (e.g. azd-service-name).')
param siteTags object = {}

@description('Required. Resource id of the user-assigned identity the app runs as.')
param userAssignedIdentityResourceId string

@description('Required. URL of the blob container holding the deployment package, e.g. https://<account>.blob.core.windows.net/app-package.')
param deploymentContainerUrl string

@description('Optional. Worker runtime.')
param runtimeName string = 'dotnet-isolated'

@description('Optional. Worker runtime version.')
param runtimeVersion string = '10.0'

@description('Optional. Upper bound of instances the app may scale out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 4

@description('Optional. Memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Optional. Always-ready instances for the HTTP group (webhooks, OAuth callback). 0 = scale to zero.')
@minValue(0)
@maxValue(10)
param httpAlwaysReadyInstanceCount int = 0

@description('Required. App settings (name to value). Values must not be secrets; use Key Vault references.')
param appSettings object

@description('Optional. App settings that are Key Vault references, merged over appSettings.')
param keyVaultReferenceSettings object = {}

@description('Optional. Client id of the Entra ID app registration that signs operators in to the console (App Service Authentication). Empty: App Service Authentication is not configured.')
param consoleEntraClientId string = ''

@description('Optional. Entra ID tenant of that app registration.')
param consoleEntraTenantId string = tenant().tenantId

@description('Optional. Name of the app setting holding the app registration\'s client secret (a Key Vault reference). Empty: ID-token sign-in (enable "ID tokens" on the registration).')
param consoleEntraClientCredentialSetting string = ''

@description('Optional. Paths App Service Authentication lets through without sign-in: callers that prove themselves (webhook signatures, the OAuth state).')
param unauthenticatedPaths string[] = []

var allSettings = union(appSettings, keyVaultReferenceSettings)

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    // Linux.
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: siteTags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${userAssignedIdentityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    // Without this, @Microsoft.KeyVault(...) references resolve with the (absent) system identity.
    keyVaultReferenceIdentity: userAssignedIdentityResourceId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: userAssignedIdentityResourceId
          }
        }
      }
      // Runtime comes from here on Flex: no FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION settings.
      runtime: {
        name: runtimeName
        version: runtimeVersion
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: httpAlwaysReadyInstanceCount > 0
          ? [
              {
                name: 'http'
                instanceCount: httpAlwaysReadyInstanceCount
              }
            ]
          : []
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [
        for setting in items(allSettings): {
          name: setting.key
          value: setting.value
        }
      ]
    }
  }
}

// App Service Authentication (Easy Auth) with Entra ID in front of the whole app: every request must carry
// a signed-in Entra principal, except the paths in unauthenticatedPaths (webhooks verify their own
// signatures, the OAuth callback its one-time state). Browsers are redirected to the Entra sign-in page;
// App Service then sets the X-MS-CLIENT-PRINCIPAL* headers the console trusts (Junipeer__Console__EasyAuth).
resource authSettings 'Microsoft.Web/sites/config@2025-03-01' = if (!empty(consoleEntraClientId)) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
      runtimeVersion: '~1'
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: unauthenticatedPaths
    }
    httpSettings: {
      requireHttps: true
      forwardProxy: {
        convention: 'NoProxy'
      }
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: consoleEntraClientId
          clientSecretSettingName: empty(consoleEntraClientCredentialSetting) ? null : consoleEntraClientCredentialSetting
          openIdIssuer: '${environment().authentication.loginEndpoint}${consoleEntraTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            consoleEntraClientId
            'api://${consoleEntraClientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: true
      }
      preserveUrlFragmentsForLogins: false
    }
  }
}

resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

@description('The resource id of the function app.')
output resourceId string = site.id

@description('The name of the function app.')
output name string = site.name

@description('The default host name, e.g. <name>.azurewebsites.net.')
output defaultHostname string = site.properties.defaultHostName

@description('True when App Service Authentication (Entra ID) is configured on the app.')
output easyAuthConfigured bool = !empty(consoleEntraClientId)

@description('The resource id of the Flex Consumption plan.')
output planResourceId string = plan.id
