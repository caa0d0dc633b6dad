metadata name = 'User-assigned managed identity'
metadata description = 'The one identity the function app runs as: host storage, its own tables and queues, Key Vault references and telemetry ingestion.'

@description('Required. Name of the user-assigned identity.')
param name string

@description('Optional. Location for the identity.')
param location string = resourceGroup().location

@description('Optional. Tags of the resource.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('The resource id of the identity.')
output resourceId string = identity.id

@description('The name of the identity.')
output name string = identity.name

@description('The principal (object) id of the identity, used for role assignments.')
output principalId string = identity.properties.principalId

@description('The client (application) id of the identity, used by the app to pick this identity.')
output clientId string = identity.properties.clientId
