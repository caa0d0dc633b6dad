metadata name = 'Operator alerts'
metadata description = 'Action group (e-mail) and Application Insights scheduled query rules on the operator alert codes the app logs (OperatorAlerts in src/Junipeer.Core/Sync): a sweep that cannot read its source, rejected webhooks, refused credentials, retries exhausted. One set per tenant deployment; each rule splits by integration.'

@description('Required. Resource id of the Application Insights component the function app logs to.')
param appInsightsResourceId string

@description('Required. Prefix of the resource names (the tenant\'s naming).')
param namePrefix string

@description('Optional. Location of the query rules.')
param location string = resourceGroup().location

@description('Optional. Tags of the resources.')
param tags object = {}

@description('Optional. E-mail addresses notified when a rule fires. Empty: the rules still fire (Azure Monitor → Alerts) but notify no one.')
param alertEmails string[] = []

@description('Optional. Whether the rules are evaluated.')
param enabled bool = true

// Every occurrence is logged at Error as "Operator alert {AlertCode} for integration {IntegrationId} …";
// structured-log properties arrive in Application Insights as customDimensions of the trace.
var rules = [
  {
    code: 'SWEEP_FAILED'
    severity: 2
    description: 'A timer sweep could not read its source (shop or ERP down, token refused) for an integration. Nothing is skipped; the checkpoint stays. See docs/error-codes.md.'
  }
  {
    code: 'WEBHOOK_REJECTED'
    severity: 3
    description: 'Webhooks to an integration\'s URL are being rejected (bad signature, stale timestamp, malformed body). See docs/error-codes.md.'
  }
  {
    code: 'CONNECTION_AUTH_FAILED'
    severity: 1
    description: 'A connected system (Visma.net, Centra, nShift) refused an integration\'s credentials: expired or revoked. Every sync of that integration fails until it is renewed. See docs/error-codes.md.'
  }
]

var notify = !empty(alertEmails)
var actionGroupName = '${namePrefix}-ops'

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (notify) {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take(replace(actionGroupName, '-', ''), 12)
    enabled: true
    emailReceivers: [
      for (email, i) in alertEmails: {
        name: 'email-${i}'
        emailAddress: email
        useCommonAlertSchema: true
      }
    ]
  }
}

resource queryRules 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for rule in rules: {
    name: '${namePrefix}-${toLower(replace(rule.code, '_', '-'))}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: 'Junipeer ${rule.code} (${namePrefix})'
      description: rule.description
      severity: rule.severity
      enabled: enabled
      scopes: [
        appInsightsResourceId
      ]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      criteria: {
        allOf: [
          {
            query: 'traces | where tostring(customDimensions.AlertCode) == "${rule.code}" | extend IntegrationId = tostring(customDimensions.IntegrationId)'
            timeAggregation: 'Count'
            dimensions: [
              {
                name: 'IntegrationId'
                operator: 'Include'
                values: [
                  '*'
                ]
              }
            ]
            operator: 'GreaterThanOrEqual'
            threshold: 1
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: notify ? [actionGroup.id] : []
      }
    }
  }
]

@description('The resource ids of the scheduled query rules.')
output ruleIds string[] = [for (rule, i) in rules: queryRules[i].id]
