metadata name = 'Monitoring'
metadata description = 'Log Analytics workspace and a workspace-based Application Insights component that accepts Entra ID (AAD) authenticated ingestion only.'

@description('Required. Name of the Log Analytics workspace.')
param workspaceName string

@description('Required. Name of the Application Insights component.')
param appInsightsName string

@description('Optional. Location for both resources.')
param location string = resourceGroup().location

@description('Optional. Tags of the resources.')
param tags object = {}

@description('Optional. Days logs are retained in the workspace.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    // Instrumentation-key ingestion is off: telemetry must carry an Entra token of an
    // identity holding Monitoring Metrics Publisher on this component.
    DisableLocalAuth: true
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

@description('The resource id of the Log Analytics workspace.')
output workspaceResourceId string = workspace.id

@description('The resource id of the Application Insights component.')
output appInsightsResourceId string = appInsights.id

@description('The name of the Application Insights component.')
output appInsightsName string = appInsights.name

@description('The connection string of the component. Not a credential: local auth is disabled, ingestion needs an Entra token.')
output connectionString string = appInsights.properties.ConnectionString
