metadata name = 'Role assignments'
metadata description = 'Grants one principal built-in roles on the tenant storage account, Key Vault and Application Insights component. Assignment names are guid(scope, principal, role), so redeploys are idempotent.'

@description('Required. Object id of the principal that receives the roles.')
param principalId string

@description('Optional. Kind of principal. ServicePrincipal for managed identities (avoids failures while a new identity replicates).')
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param principalType string = 'ServicePrincipal'

@description('Required. Name of the storage account in this resource group.')
param storageAccountName string

@description('Optional. Role definition ids (GUIDs) to grant on the storage account.')
param storageRoleDefinitionIds string[] = []

@description('Required. Name of the Key Vault in this resource group.')
param keyVaultName string

@description('Optional. Role definition ids (GUIDs) to grant on the Key Vault.')
param keyVaultRoleDefinitionIds string[] = []

@description('Required. Name of the Application Insights component in this resource group.')
param appInsightsName string

@description('Optional. Role definition ids (GUIDs) to grant on the Application Insights component.')
param appInsightsRoleDefinitionIds string[] = []

resource storageAccount 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoleDefinitionIds: {
    name: guid(storageAccount.id, principalId, roleId)
    scope: storageAccount
    properties: {
      principalId: principalId
      principalType: principalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

resource vaultRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in keyVaultRoleDefinitionIds: {
    name: guid(vault.id, principalId, roleId)
    scope: vault
    properties: {
      principalId: principalId
      principalType: principalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

resource appInsightsRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in appInsightsRoleDefinitionIds: {
    name: guid(appInsights.id, principalId, roleId)
    scope: appInsights
    properties: {
      principalId: principalId
      principalType: principalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

@description('The number of role assignments this module made.')
output assignmentCount int = length(storageRoleDefinitionIds) + length(keyVaultRoleDefinitionIds) + length(appInsightsRoleDefinitionIds)
