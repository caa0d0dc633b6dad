namespace Junipeer.Core.Errors;

/// <summary>One entry of the error catalogue: stable code, operator-facing message, cause and fix.</summary>
public sealed record ErrorDefinition(string Code, string Message, string Cause, string Fix, bool Retryable);

/// <summary>
/// Stable error codes shown to operators. Every code is documented in docs/error-codes.md (a test
/// keeps the two in step) and provoked by at least one test.
/// </summary>
public static class ErrorCodes
{
    public const string OssCountryTaxMappingMissing = "OSS_COUNTRY_TAX_MAPPING_MISSING";
    public const string VatCategoryForRateMissing = "VAT_CATEGORY_FOR_RATE_MISSING";
    public const string VatCategoryRateMismatch = "VAT_CATEGORY_RATE_MISMATCH";
    public const string OrderVatTreatmentMismatch = "ORDER_VAT_TREATMENT_MISMATCH";
    public const string OrderTotalsInconsistent = "ORDER_TOTALS_INCONSISTENT";
    public const string CustomerNumberSeriesExhausted = "CUSTOMER_NUMBER_SERIES_EXHAUSTED";
    public const string SharedCustomerNotConfigured = "SHARED_CUSTOMER_NOT_CONFIGURED";
    public const string OrderNotFoundInShop = "ORDER_NOT_FOUND_IN_SHOP";
    public const string DuplicateInvoiceForOrder = "DUPLICATE_INVOICE_FOR_ORDER";
    public const string DuplicatePaymentForOrder = "DUPLICATE_PAYMENT_FOR_ORDER";
    public const string ErpRequestRejected = "ERP_REQUEST_REJECTED";
    public const string ErpAuthFailed = "ERP_AUTH_FAILED";
    public const string ErpUnavailable = "ERP_UNAVAILABLE";
    public const string ErpRateLimited = "ERP_RATE_LIMITED";
    public const string ShopAuthFailed = "SHOP_AUTH_FAILED";
    public const string ShopUnavailable = "SHOP_UNAVAILABLE";
    public const string ShopRateLimited = "SHOP_RATE_LIMITED";
    public const string ShopQueryFailed = "SHOP_QUERY_FAILED";
    public const string IntegrationNotFound = "INTEGRATION_NOT_FOUND";
    public const string IntegrationSettingsInvalid = "INTEGRATION_SETTINGS_INVALID";
    public const string FlowDisabled = "FLOW_DISABLED";
    public const string SecretNotConfigured = "SECRET_NOT_CONFIGURED";
    public const string WebhookSignatureMissing = "WEBHOOK_SIGNATURE_MISSING";
    public const string WebhookSignatureInvalid = "WEBHOOK_SIGNATURE_INVALID";
    public const string WebhookTimestampOutOfTolerance = "WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE";
    public const string WebhookPayloadInvalid = "WEBHOOK_PAYLOAD_INVALID";
    public const string QueueMessageInvalid = "QUEUE_MESSAGE_INVALID";
    public const string PoisonMessage = "SYNC_RETRIES_EXHAUSTED";
    public const string LedgerPhaseUnknown = "LEDGER_PHASE_UNKNOWN";
    public const string StorageUnavailable = "STORAGE_UNAVAILABLE";
    public const string IntegrationReferencePrefixConflict = "INTEGRATION_REFERENCE_PREFIX_CONFLICT";
    public const string ErpWriteUnconfirmed = "ERP_WRITE_UNCONFIRMED";
    public const string ErpLookupIncomplete = "ERP_LOOKUP_INCOMPLETE";
    public const string LedgerEpochUnsettled = "LEDGER_EPOCH_UNSETTLED";
    public const string DeploymentSettingsInvalid = "DEPLOYMENT_SETTINGS_INVALID";
    public const string SkuMappingChanged = "SKU_MAPPING_CHANGED";
    public const string StockSkuUnmapped = "STOCK_SKU_UNMAPPED";
    public const string ProductSkuInvalid = "PRODUCT_SKU_INVALID";
    public const string ProductDuplicateInShop = "PRODUCT_DUPLICATE_IN_SHOP";
    public const string ConnectSystemUnknown = "CONNECT_SYSTEM_UNKNOWN";
    public const string OAuthStateInvalid = "OAUTH_STATE_INVALID";
    public const string OAuthStateExpired = "OAUTH_STATE_EXPIRED";
    public const string OAuthCodeRejected = "OAUTH_CODE_REJECTED";
    public const string ConnectionNotEstablished = "CONNECTION_NOT_ESTABLISHED";
    public const string ConnectionRevoked = "CONNECTION_REVOKED";
    public const string ErpModuleMissing = "ERP_MODULE_MISSING";
    public const string ErpCustomerNumberingManual = "ERP_CUSTOMER_NUMBERING_MANUAL";
    public const string ErpTaxSetupMissing = "ERP_TAX_SETUP_MISSING";
    public const string ErpWarehouseMissing = "ERP_WAREHOUSE_MISSING";
    public const string IntegrationFieldUnknown = "INTEGRATION_FIELD_UNKNOWN";
    public const string SecretStoreLocked = "SECRET_STORE_LOCKED";
    public const string CustomerNumberConflict = "CUSTOMER_NUMBER_CONFLICT";
    public const string DuplicateCustomerForBuyer = "DUPLICATE_CUSTOMER_FOR_BUYER";
    public const string VatNumberInvalid = "VAT_NUMBER_INVALID";
    public const string VatTerritoryAmbiguous = "VAT_TERRITORY_AMBIGUOUS";
    public const string ErpVersionConflict = "ERP_VERSION_CONFLICT";
    public const string WebhookBodyTooLarge = "WEBHOOK_BODY_TOO_LARGE";
    public const string WebhookEventIdInvalid = "WEBHOOK_EVENT_ID_INVALID";
    public const string IntegrationUrlNotAllowed = "INTEGRATION_URL_NOT_ALLOWED";
    public const string IntegrationSecretNotScoped = "INTEGRATION_SECRET_NOT_SCOPED";
    public const string ShopPermissionMissing = "SHOP_PERMISSION_MISSING";
    public const string ShopOrderOwnershipOverlap = "SHOP_ORDER_OWNERSHIP_OVERLAP";
    public const string PayoutCurrencyMismatch = "PAYOUT_CURRENCY_MISMATCH";
    public const string PayoutFeeWriteOffFailed = "PAYOUT_FEE_WRITEOFF_FAILED";
    public const string PayoutTotalMismatch = "PAYOUT_TOTAL_MISMATCH";
    public const string PayoutInvoiceNotFound = "PAYOUT_INVOICE_NOT_FOUND";
    public const string PayoutInvoiceNotOpen = "PAYOUT_INVOICE_NOT_OPEN";
    public const string PayoutDateBeforeInvoice = "PAYOUT_DATE_BEFORE_INVOICE";
    public const string PayoutNotFound = "PAYOUT_NOT_FOUND";
    public const string PayoutWebhookSignatureInvalid = "PAYOUT_WEBHOOK_SIGNATURE_INVALID";
    public const string PspUnavailable = "PSP_UNAVAILABLE";
    public const string PspAuthFailed = "PSP_AUTH_FAILED";
    public const string PspRateLimited = "PSP_RATE_LIMITED";
    public const string PspRequestRejected = "PSP_REQUEST_REJECTED";
    public const string PspPagingIncomplete = "PSP_PAGING_INCOMPLETE";
    public const string PayoutReportInvalid = "PAYOUT_REPORT_INVALID";
    public const string RefundExceedsInvoice = "REFUND_EXCEEDS_INVOICE";
    public const string RefundInvoiceNotFound = "REFUND_INVOICE_NOT_FOUND";
    public const string RefundCurrencyMismatch = "REFUND_CURRENCY_MISMATCH";
    public const string PayoutChargeback = "PAYOUT_CHARGEBACK";
    public const string PayoutBatchOverdue = "PAYOUT_BATCH_OVERDUE";
    public const string PayoutBatchAccountRefused = "PAYOUT_BATCH_ACCOUNT_REFUSED";
    public const string ShipmentOrderNotFound = "SHIPMENT_ORDER_NOT_FOUND";
    public const string CarrierServiceNotMapped = "CARRIER_SERVICE_NOT_MAPPED";
    public const string CarrierValidationFailed = "CARRIER_VALIDATION_FAILED";
    public const string ShipmentPartialNotAllowed = "SHIPMENT_PARTIAL_NOT_ALLOWED";
    public const string ShipmentLineNotInOrder = "SHIPMENT_LINE_NOT_IN_ORDER";
    public const string DuplicateCarrierBooking = "DUPLICATE_CARRIER_BOOKING";
    public const string DuplicateShopShipment = "DUPLICATE_SHOP_SHIPMENT";
    public const string ShopCaptureFailed = "SHOP_CAPTURE_FAILED";
    public const string ShopMutationRejected = "SHOP_MUTATION_REJECTED";
    public const string CarrierUnavailable = "CARRIER_UNAVAILABLE";
    public const string CarrierAuthFailed = "CARRIER_AUTH_FAILED";
    public const string CarrierRateLimited = "CARRIER_RATE_LIMITED";
    public const string ErpResponseMalformed = "ERP_RESPONSE_MALFORMED";
    public const string ShopResponseMalformed = "SHOP_RESPONSE_MALFORMED";
    public const string ReplayOrderNumberInvalid = "REPLAY_ORDER_NUMBER_INVALID";
    public const string OrderCurrencyUnknown = "ORDER_CURRENCY_UNKNOWN";
    public const string OrderAmountInvalid = "ORDER_AMOUNT_INVALID";

    public const string ShadowWriteBlocked = "SHADOW_WRITE_BLOCKED";
    public const string ShadowCutOverRequired = "SHADOW_CUTOVER_REQUIRED";
    public const string CliArgumentsInvalid = "CLI_ARGUMENTS_INVALID";
    public const string CliUnexpectedError = "CLI_UNEXPECTED_ERROR";
    public const string SweepFailed = "SWEEP_FAILED";
    public const string WebhookRejected = "WEBHOOK_REJECTED";
    public const string ConnectionAuthFailed = "CONNECTION_AUTH_FAILED";
    public const string ConsoleUnauthorized = "CONSOLE_UNAUTHORIZED";
    public const string ConsoleAuthNotConfigured = "CONSOLE_AUTH_NOT_CONFIGURED";
    public const string ConsoleCsrfInvalid = "CONSOLE_CSRF_INVALID";
    public const string OperationFlowNotSupported = "OPERATION_FLOW_NOT_SUPPORTED";
    public const string OperationRequestInvalid = "OPERATION_REQUEST_INVALID";
    public const string LedgerEntityNotFound = "LEDGER_ENTITY_NOT_FOUND";

    public static IReadOnlyList<ErrorDefinition> All { get; } =
    [
        new(OssCountryTaxMappingMissing, "OSS country-to-tax mapping not configured",
            "The order ships to a country that has no entry (taxZoneId + VAT categories) in the integration's VAT settings for its VAT case.",
            "Add the country under Vat.Countries (EU B2C) with the Visma.net VAT zone and the VAT category per rate, then retry the order.", false),
        new(VatCategoryForRateMissing, "No VAT category is mapped for the VAT rate on the order",
            "A line or the shipping carries a VAT rate that the country's mapping has no VAT category for (for example a reduced rate).",
            "Add the rate to VatCategoryByRate for that country/VAT case in the integration settings, then retry.", false),
        new(VatCategoryRateMismatch, "The mapped Visma.net VAT category has a different rate than the order",
            "The VAT category chosen for a line has a rate in Visma.net (effective at the document date) that differs from the rate Centra charged.",
            "Fix the mapping to point at a category with the right rate, or fix the rate in Visma.net (VAT categories / VATs), then retry.", false),
        new(OrderVatTreatmentMismatch, "The shop charged VAT that does not fit the VAT case of the order",
            "Centra charged VAT on an order that the OSS rules treat as zero-rated (reverse charge or export), or charged no VAT on a taxable one.",
            "Align Centra's tax rules with the integration's VAT settings (seller country, OSS destination VAT, B2B rules) and correct the order, then retry.", false),
        new(OrderTotalsInconsistent, "The order's own totals do not add up",
            "The sum of lines, shipping and discounts from the shop differs from the order's grand total or VAT total by more than a rounding cent.",
            "Check the order in Centra (manual edits, cancelled lines); correct it and retry.", false),
        new(CustomerNumberSeriesExhausted, "The Visma.net customer number series has run out",
            "Visma.net could not generate the next customer number: the series reached its end number (or overlaps manually created customers).",
            "In Visma.net open Number series (CS201010), extend the end number of the customer series or add a new range that does not overlap manual numbers, then retry the failed orders.", false),
        new(SharedCustomerNotConfigured, "No shared customer is configured for the order's market",
            "The customer strategy is SharedPerMarket but neither the order's market nor its country has a customer number in Orders.SharedCustomers.",
            "Add the market id (or country code) with an existing Visma.net customer number to Orders.SharedCustomers, then retry.", false),
        new(OrderNotFoundInShop, "The order could not be found in the shop",
            "The shop answered without the order number that was queued (deleted order, wrong store, or a token for another environment).",
            "Check the order number in Centra and that the integration's Centra URL and token belong to the same environment.", false),
        new(DuplicateInvoiceForOrder, "Several invoices carry the same order reference",
            "A lookup by the order reference found more than one invoice in the ERP (created outside this integration or by an older tool).",
            "Credit the extra invoice in the ERP, then retry the order so the ledger records the remaining one.", false),
        new(DuplicatePaymentForOrder, "Several gift-certificate payments carry the same order reference",
            "A lookup of the invoice's customer payments found more than one with the order's gift-certificate payment reference (GC-<invoice reference>), created outside this integration or by hand.",
            "Void the extra payment in the ERP (Customer payments → Void), then retry the order so the ledger records the remaining one.", false),
        new(ErpRequestRejected, "The ERP rejected the request",
            "Visma.net answered 400 with a business-rule message (kept in the error text together with its VismaId).",
            "Read the Visma.net message, fix the data or ERP setup it names, then retry.", false),
        new(ErpAuthFailed, "The ERP refused the credentials",
            "Visma Connect refused the client credentials or tenant (invalid_client / invalid_tenant), or the API answered 401/403 (IPPException 12027: wrong company tenant id or missing licence/role).",
            "Check ClientId/secret and the company tenant id (Visma Admin → Company → Tenant id, not the customer tenant), and that the company has connected the app.", false),
        new(ErpUnavailable, "The ERP did not answer (timeout or server error)",
            "Visma.net timed out or answered 5xx. A create may or may not have happened, so the next attempt looks the document up by reference before creating.",
            "Nothing to do if it recovers; the message is retried. If it persists, check Visma.net status and retry the failed orders.", true),
        new(ErpRateLimited, "The ERP rate limit was reached",
            "Visma.net answered 429; its Retry-After is honoured and the work is re-queued with a delay instead of waiting in a function.",
            "Nothing to do; if it happens often, lower the queue batch size or the instance count for this tenant.", true),
        new(ShopAuthFailed, "The shop refused the API token",
            "Centra answered 401/403 or an authorization error: the Integration API token expired (default 30 days), was revoked, or lacks Order:read.",
            "Create a new Integration API token in Centra AMS (System → API Tokens) with Order:read and update the secret.", false),
        new(ShopUnavailable, "The shop did not answer (timeout or server error)",
            "Centra timed out or answered 5xx.",
            "Nothing to do if it recovers; the message is retried and the sweep catches up.", true),
        new(ShopRateLimited, "The shop rate limit was reached",
            "Centra answered 429; its Retry-After timestamp is honoured.",
            "Nothing to do; Centra's limits are shared by all integrations of the environment.", true),
        new(ShopQueryFailed, "The shop answered the query with errors",
            "Centra returned GraphQL errors for the order query.",
            "Read the error text; check the token permissions and the Centra API version.", false),
        new(IntegrationNotFound, "Unknown integration",
            "The integration id in the URL or message is not configured in this deployment.",
            "Use the webhook URL shown for the integration, or create the integration first.", false),
        new(IntegrationSettingsInvalid, "The integration settings are invalid",
            "A required setting is missing or malformed (the message names it).",
            "Correct the integration settings; see docs/configuration.md.", false),
        new(FlowDisabled, "The flow is switched off for this integration",
            "An order arrived for an integration whose orders flow is disabled.",
            "Enable Orders.Enabled if the flow should run; nothing is lost, the sweep picks orders up once enabled.", false),
        new(SecretNotConfigured, "A secret named in the settings is not configured",
            "The integration refers to a secret (for example the Centra token) that is neither in Key Vault-backed app settings nor in local configuration.",
            "Add the secret under Secrets:<name> (Key Vault secret + app setting reference in Azure).", false),
        new(WebhookSignatureMissing, "Webhook without signature",
            "The request has no X-Centra-Signature header, or it lacks t= or v1=.",
            "Configure an Endpoint secret in Centra's webhook plugin; the sender must sign every call.", false),
        new(WebhookSignatureInvalid, "Webhook signature does not match",
            "The HMAC-SHA256 over \"{t}.{raw body}\" matches neither the current nor the previous secret. An unknown integration id or an unconfigured webhook secret gets the same answer (401), so anonymous callers cannot tell integrations apart; the log names the real cause (INTEGRATION_NOT_FOUND, SECRET_NOT_CONFIGURED).",
            "Make sure the Endpoint secret in Centra equals the integration's webhook secret (during rotation keep the old one as previous).", false),
        new(WebhookTimestampOutOfTolerance, "Webhook timestamp too old or in the future",
            "The t= timestamp differs from now by more than the tolerance (300 s): a replay or a badly skewed clock.",
            "Nothing to do for a replay; otherwise check the sender's clock. The sweep picks up any missed order.", false),
        new(WebhookPayloadInvalid, "Webhook body is malformed",
            "The body is not form-encoded payload=<JSON> with an events array.",
            "Use Centra's Integration API webhook version; the sweep picks up any missed order.", false),
        new(QueueMessageInvalid, "A queue message could not be read",
            "The message body is not a valid work item (wrong version or fields).",
            "Inspect the message in the poison queue; re-enqueue it with `junipeer replay` after fixing.", false),
        new(PoisonMessage, "Sync retries exhausted",
            "The message failed on every delivery (maxDequeueCount) and was moved to the poison queue.",
            "Read the last error on the entity, fix its cause, then `junipeer replay` the entity.", false),
        new(LedgerPhaseUnknown, "The ledger row is in a phase this version does not know",
            "The row was written by another version of Junipeer (or edited by hand) with a phase name that is not in this flow's phase sequence. Guessing where it stands could duplicate a document, so the item stops.",
            "Run the version that wrote the row, or look the entity up in the ERP and set the row's Phase to the last step that certainly happened, then `junipeer replay` it.", false),
        new(DuplicateCustomerForBuyer, "Several ERP customers carry the same buyer key",
            "A lookup by the buyer's deterministic key (customer attribute or corporateId) found more than one customer in the ERP, created outside this integration or by hand.",
            "Merge or deactivate the extra customer in Visma.net so one customer carries the key, then retry the order.", false),
        new(VatNumberInvalid, "The business buyer's VAT number is malformed",
            "A business order (wholesale, company name or VAT number) ships to another EU member state with a VAT number that has no EU prefix or not the format of its country (the message names the number and the country). Reverse charge needs a valid number, and silently charging consumer VAT would hide the mistake.",
            "Correct the VAT number in Centra (or remove it if the buyer is a consumer), then retry the order. To book such buyers as consumers instead, set vat.treatInvalidVatNumberAsConsumer to true.", false),
        new(VatTerritoryAmbiguous, "The ship-to postcode is shared by a territory outside the EU VAT area and ordinary municipalities",
            "The postcode is used both by a territory outside the EU VAT area and by ordinary municipalities (e.g. IT 23030, Livigno's older CAP), and the address has no city to tell them apart (docs/vat-territories.md).",
            "Add the city to the order's shipping address in Centra (or use the territory's own postcode, e.g. 23041 for Livigno), then retry the order.", false),
        new(ErpVersionConflict, "The ERP record changed since it was read",
            "Visma.net answered 412 Precondition Failed: the If-Match ETag sent with an update no longer matches the record (someone changed it in between).",
            "Nothing to fix by hand: read the record again and re-apply the change (the next attempt does this).", true),
        new(WebhookBodyTooLarge, "Webhook body too large",
            "The request body is larger than the webhook limit (1 MiB), by Content-Length or while streaming a chunked body; nothing past the limit is read. Answered 413 before any other work.",
            "Centra sends small bodies; a larger one is not from Centra. Nothing to do; the sweep picks up any missed order.", false),
        new(WebhookEventIdInvalid, "Webhook event id is not an order number",
            "An order event's id is not a Centra order number (1 to 2147483647, digits only); nothing of the request is stored or enqueued. Answered 400.",
            "Nothing to do if the sender is not Centra; otherwise check the webhook plugin's API version. The sweep picks up any missed order.", false),
        new(IntegrationUrlNotAllowed, "An integration URL points at a host that is not allowed",
            "A vendor URL in the integration settings is not https, or its host is not one of the vendor's hosts (Visma.net API/Connect, Centra *.centra.com / *.centraqa.com): plain http, loopback, link-local/metadata addresses and other hosts are refused by `junipeer integration add`.",
            "Use the vendor's https URL (see docs/configuration.md). Only a development deployment with Junipeer__Development__AllowLoopbackHttp=true may use http(s)://127.0.0.1 or localhost (the Sandbox).", false),
        new(IntegrationSecretNotScoped, "A secret name does not belong to the integration",
            "A secret name in the integration settings does not start with the integration id's letters and digits (id acme-se: acmese...), or it lies in another integration's namespace. Refused by `junipeer integration add`.",
            "Rename the secret to <id letters and digits><purpose>, e.g. acmeseCentraToken for integration acme-se, and store it under Secrets__<name>.", false),
        new(ShopPermissionMissing, "The shop API token lacks a permission the query needs",
            "Centra answered a field of the order query with an authorization error (\"You need <permission> permission ...\"): the Integration API token was made without that permission. The message names it.",
            "In Centra AMS (System → API Tokens) add the named permission to the integration's token (or make a new token with every permission in docs/configuration.md), update the secret, then `junipeer replay` the failed orders.", false),
        new(ShopOrderOwnershipOverlap, "Two integrations on the same Centra store would both claim some orders",
            "Another integration already uses the same Centra GraphQL URL, and the two ownership filters (Shop.Centra.OrderFilter) are missing or overlap, so both would invoice the same orders.",
            "Give every integration on that store a Shop.Centra.OrderFilter (store ids, market ids or shipping countries) so that no order matches two of them, then save again.", false),
        new(StorageUnavailable, "The CLI could not use its storage",
            "The storage account or Azurite the command resolved (printed on stderr and under \"storage\" in --json) did not answer or refused the request: Azurite not running, wrong AzureWebJobsStorage, or no access.",
            "Start `junipeer run` (it starts Azurite) or Azurite itself, or point AzureWebJobsStorage (environment, or local.settings.json) at the right account; then run the command again. Exit code 3.", true),
        new(IntegrationReferencePrefixConflict, "Two integrations share an ERP company and an invoice reference prefix",
            "Invoices are found again by their reference (Orders.ReferencePrefix + order number) across the whole Visma.net company; a second integration on the same company with the same (or a nested) prefix would adopt the first one's invoices.",
            "Give each integration on the company its own Orders.ReferencePrefix (e.g. CENTRA-SE-, CENTRA-NO-), then save it again.", false),
        new(ShipmentOrderNotFound, "The shipment's order could not be found in the shop",
            "The ERP shipment carries no shop order number in the configured field (Shipments.OrderNumberField), or the shop has no order with that number.",
            "Fill the order number field on the shipment in Visma.net (or correct Shipments.OrderNumberField), check that the order exists in Centra, then `junipeer replay` the shipment.", false),
        new(CarrierServiceNotMapped, "No carrier service is mapped for the shipment's country and shipping method",
            "Shipments.CarrierServices has no entry matching the shipment's destination country and ERP shipping method (shipVia), and no catch-all entry.",
            "Add a mapping (Country and/or ShippingMethod → nShift service id) to Shipments.CarrierServices, then `junipeer replay` the shipment.", false),
        new(CarrierValidationFailed, "The carrier rejected the shipment",
            "nShift answered 422 with validation errors (the message carries nShift's own text, e.g. an invalid postal code or a weight over the service's limit); nothing was booked.",
            "Correct the shipment's data in Visma.net (address, weights) or the mapped service, then `junipeer replay` the shipment.", false),
        new(ShipmentPartialNotAllowed, "The shipment does not ship the whole order",
            "Shipments.AllowPartialShipments is false and the ERP shipment ships fewer units than ordered, or leaves order lines out.",
            "Ship the rest in the same shipment, or allow partial shipments (Shipments.AllowPartialShipments = true), then `junipeer replay` the shipment.", false),
        new(ShipmentLineNotInOrder, "A shipment line does not match the shop order",
            "A line of the ERP shipment has an item number that is no SKU of the shop order, or ships more units than the order line has.",
            "Correct the shipment in Visma.net (item numbers must equal Centra's SKUs) or the order in Centra, then `junipeer replay` the shipment.", false),
        new(DuplicateCarrierBooking, "Several carrier bookings carry the same shipment reference",
            "A lookup by the shipment's reference found more than one nShift shipment (booked outside this integration or by hand).",
            "Cancel the extra booking in nShift (DELETE the shipment) so one carries the reference, then `junipeer replay` the shipment.", false),
        new(DuplicateShopShipment, "Several shop shipments match the ERP shipment",
            "The shop order has more than one shipment with this shipment's tracking number (or reference), created outside this integration or by hand.",
            "Remove the extra shipment in Centra so one matches, then `junipeer replay` the shipment.", false),
        new(ShopCaptureFailed, "The shop could not capture the shipment's payment",
            "Centra's captureShipment answered with user errors (the message carries Centra's text), e.g. the authorization expired or the PSP refused.",
            "Check the order's payment in Centra AMS and capture it there (or fix the PSP), then `junipeer replay` the shipment to finish the remaining steps.", false),
        new(ShopMutationRejected, "The shop rejected a change",
            "A Centra mutation (createShipment) answered with user errors; the message carries Centra's text (e.g. quantities already shipped).",
            "Correct the order or the shipment as the message says, then `junipeer replay` the shipment.", false),
        new(CarrierUnavailable, "The carrier platform did not answer",
            "nShift answered 5xx, timed out, or could not be reached. A booking that may have reached nShift is looked up by its reference on the next attempt, never booked blindly again.",
            "Nothing to fix by hand: the queue retries and the sweep re-enqueues the shipment; check nShift's status page if it lasts.", true),
        new(CarrierAuthFailed, "The carrier refused the API key",
            "nShift answered 401/403: the API key (ID-Secret in Shipments.NShift.ApiKeySecretName) is wrong, expired, or lacks the REST API license for the call.",
            "Create a Web Services (REST) API key in nShift (Maintenance → API keys), store it as ID-Secret in the secret, then `junipeer replay` the shipment.", false),
        new(CarrierRateLimited, "The carrier rate limit was reached",
            "nShift answered 429: too many requests. The request was not processed.",
            "Nothing to fix by hand: the shipment is re-queued after the wait.", true),
        new(ErpWriteUnconfirmed, "An ERP create timed out and is not visible yet",
            "A create (invoice, customer, payment) got no answer in time or its connection broke after sending, and the lookup by its key finds nothing yet. The ERP may still be processing it, so creating again now could make a second document.",
            "Nothing to do: the item waits until the lease of the timed-out attempt has run out (Orders.LeaseSeconds), then the lookup decides between adopting the late document and creating it. If it recurs, check the ERP's response times against VismaNet.TimeoutSeconds.", true),
        new(ErpLookupIncomplete, "The ERP lookup could not read the whole result",
            "The index of recent ERP documents could not read every page of its delta (more pages than its limit, or fewer distinct documents than the count Visma reports: the list changed while it was paged), so it cannot say a document is absent.",
            "Nothing to do: such orders are looked up in the ERP directly until the index has caught up. If it recurs, lower Orders.DocumentIndexWindowDays or raise the refresh interval.", true),
        new(LedgerEpochUnsettled, "The ledger is new or was lost moments ago",
            "The ledger table has no storage-epoch row (it was deleted, or storage was lost) or got one less than one lease (Orders.LeaseSeconds) ago, and the ERP has no document for this item yet. A create sent just before the loss may still land, so new documents wait until then. A new integration (integration add) starts a settled epoch and does not wait.",
            "Nothing to do: the item is re-queued and created once the lease has passed (documents found in the ERP are adopted at once). After losing all storage, re-add an integration no sooner than one lease after the loss.", true),
        new(DeploymentSettingsInvalid, "A deployment setting is out of range or inconsistent",
            "Start-up validation refused the Junipeer__* settings (environment, app settings or local.settings.json): a value outside its range, or a combination that breaks a guarantee (e.g. Orders.LeaseSeconds not longer than 2 × VismaNet.TimeoutSeconds + 4 × Orders.MaxInProcessWaitSeconds + 10 s). The message names each setting.",
            "Fix the named settings (docs/configuration.md lists every setting with its default and range), then start again. Exit code 2.", false),
        new(PayoutCurrencyMismatch, "Payout currency differs from the invoice or transaction currency",
            "A payout's transactions, or an invoice it settles, are in another currency than the payout; a Visma payment must be in the invoice's currency. Nothing of the payout was booked.",
            "Book the payout by hand, or align currencies (the order flow's invoice currency with the currency the PSP pays out), then `junipeer replay` the payout.", false),
        new(PayoutFeeWriteOffFailed, "PSP fees could not be written off",
            "The payout carries PSP fees but Payouts.FeeWriteOffReasonCode (or FeeChargeEntryType for FeeBooking Charge) is not set, or Visma refused the payment with the write-off: the reason code does not exist with usage \"Balance write-off\", or the customer class has no write-offs enabled / too low a write-off limit. Customer payments already booked for the payout stay booked; none is half-booked.",
            "Create the reason code in Visma (Reason codes, usage Balance write-off) and enable write-offs with a limit on the customer class, set Payouts.FeeWriteOffReasonCode, then `junipeer replay` the payout.", false),
        new(PayoutTotalMismatch, "Payout lines do not add up to the payout total",
            "The net amounts of the payout's transactions differ from the amount paid to the bank (the message shows the difference). The payout is held and nothing is booked.",
            "Compare the PSP's report with its payout; once the PSP data is complete (or corrected), `junipeer replay` the payout.", false),
        new(PayoutInvoiceNotFound, "A payout transaction matches no invoice",
            "No invoice carries the reference the transaction points to (PSP reference minus the PSP prefix, with Orders.ReferencePrefix in front, in Payouts.ReferenceField). The rest of the payout is booked; the unmatched transactions are retried every Payouts.UnmatchedRetryMinutes for Payouts.UnmatchedRetryHours.",
            "Usually nothing: the order's invoice appears and the retry books it. Otherwise check the PSP reference prefix (Payouts.Providers.<psp>.ReferencePrefix) and the reference field, or book the transaction by hand.", true),
        new(PayoutInvoiceNotOpen, "An invoice the payout settles has no such open balance",
            "The invoice a transaction matched is not open in Visma (already paid, credited or unreleased) or its open balance is lower than what the payout settles. The payout is held and nothing is booked.",
            "Check how the invoice was settled (a manual payment, another payout); void the wrong document or book the payout by hand, then `junipeer replay` the payout.", false),
        new(PayoutDateBeforeInvoice, "The payout is dated before the invoice",
            "The payout's date (the payment date in Visma) is before the date of an invoice it settles; Visma does not apply a payment dated before the document. Nothing was booked.",
            "Check the invoice date (the order date) and the payout's arrival date; correct the invoice date or book by hand, then replay.", false),
        new(PayoutNotFound, "The PSP has no such paid payout",
            "The PSP does not know the payout id, it is not paid yet, or its transactions are not reconciled yet (Stripe: reconciliation_status not completed).",
            "Nothing if the payout is still in transit: the timer picks it up once paid. Otherwise check the payout id.", false),
        new(PayoutWebhookSignatureInvalid, "PSP webhook signature invalid",
            "The payout notification's signature (Stripe-Signature, Adyen HMAC) is missing, malformed, outside the tolerance, or made with another secret. Nothing is enqueued.",
            "Check the webhook signing secret stored under Payouts.Providers.<psp>.WebhookSecretName; the timer fallback books payouts anyway.", false),
        new(PspUnavailable, "The PSP API did not answer",
            "The PSP (Stripe, Klarna, the Adyen report download) answered 5xx, timed out, or could not be reached while its payout, transactions or report were read. Reads are retried in process first; nothing was booked from a half-read payout.",
            "Nothing to fix by hand: the queue retries and the payout timer enqueues the payout again; check the PSP's status page if it lasts.", true),
        new(PspAuthFailed, "The PSP refused the API credentials",
            "The PSP answered 401/403: the API key (Stripe secret or restricted key with read access to payouts and balance transactions; Klarna API username:password; Adyen report user \"user:password\" with the Merchant report role) stored under Payouts.Providers.<psp>.ApiKeySecretName is wrong, revoked, or lacks the permission.",
            "Store a valid key in the secret named by Payouts.Providers.<psp>.ApiKeySecretName, then `junipeer replay` the payout.", false),
        new(PspRateLimited, "The PSP rate limit was reached",
            "The PSP answered 429: too many requests. The request was not processed.",
            "Nothing to fix by hand: the payout is re-queued after the wait.", true),
        new(PspRequestRejected, "The PSP rejected a request",
            "The PSP answered 4xx (other than 401/403/404/429) to a payout read: a parameter it does not accept (its error message is shown), or an API version it does not serve.",
            "Read the PSP's message; check Payouts.Providers.<psp>.ApiBaseUrl and that the account uses a supported API version. Report it if the request itself is wrong.", false),
        new(PspPagingIncomplete, "The PSP's list could not be read completely",
            "A paged PSP list (Klarna: a payout's transactions or the payout list, read by offset) ended before the total the PSP reported, returned more items than that total, or its total changed while it was paged: the list moved under the reader. Nothing was booked from the partial list.",
            "Nothing to fix by hand: the queue (or the next timer run) reads the list again. If it recurs for one payout, report it with the payout id and the PSP's correlation id.", true),
        new(PayoutReportInvalid, "The PSP's settlement report cannot be read",
            "The Adyen settlement details report is not well-formed CSV (an unclosed quote, a row with another number of fields than the header), lacks a required column (named in the message; columns are found by header name, so their order does not matter), has an amount that is not a number, or holds rows of another batch or merchant account. Nothing was booked.",
            "Check the report in the Adyen Customer Area (Finance > Settlement details) and its column settings; restore the named column, then `junipeer replay` the payout.", false),
        new(SkuMappingChanged, "The SKU rule changed while SKU mappings exist",
            "The integration's SKU settings (Sku.ProductNrField, VariantField, SizeField, Separator, Pattern) differ from the rule the stored SKU mappings were built with (its fingerprint is stored beside them). Stock and products stop: the old mappings would point the ERP's articles at the wrong shop sizes.",
            "Either restore the previous SKU settings, or run `junipeer reimport products --integration <id>` to rebuild every mapping with the new rule (resumable; it prints a report), then fix in Centra the products it reports as not matching.", false),
        new(StockSkuUnmapped, "An ERP article has no shop SKU mapping; its stock was skipped",
            "The stock sync read an availability change for an article that has no SKU mapping (it is not in the Mappings table, or the shop does not know the SKU any more). The article was skipped; the other articles were synced.",
            "Run `junipeer diagnose sku --integration <id>` to see why (article missing in Centra, SKU pattern break, duplicate), fix the product in Centra (or the article's SKU fields in Visma.net), then `junipeer reimport products --integration <id>`.", false),
        new(ProductSkuInvalid, "A product or article cannot be synced: its SKU cannot be built or breaks the pattern",
            "The product sync read a changed article (VismaToCentra) whose SKU fields are empty, missing or give a SKU that breaks Sku.Pattern, or a Centra size (CentraToVisma) whose SKU is empty or breaks the pattern. That item was skipped; the others were synced and the delta checkpoint stays at it so it is retried.",
            "Fix the item on the master side: the article's product number / variant / size fields in Visma.net, or the product, variant and size numbers in Centra (the seed: Centra products are fixed in Centra). `junipeer diagnose sku --integration <id>` lists every pattern break.", false),
        new(ProductDuplicateInShop, "Several Centra products (or variants, sizes) carry the same number",
            "The product sync looked up the Centra product for an article by its product number (or the variant / size under it by number) before creating it and found more than one. It cannot tell which one is meant, so it created nothing and updated nothing for that article.",
            "Make the numbers unique in Centra (merge or renumber the duplicates); the next product sync run maps the article to the remaining one.", false),
        new(ShadowWriteBlocked, "A write was attempted in shadow mode and blocked",
            "The integration runs in shadow mode (Mode Shadow): its flows reach the ERP through a read-only port that refuses every create, update and release. Every flow has a shadow path, so a write reaching it is a defect in that path; nothing was written.",
            "Nothing was booked. Report the flow named in the message; switch that flow off while in shadow mode, or switch the integration to Live with a CutOverDate.", false),
        new(ShadowCutOverRequired, "Switching from shadow to live needs a cut-over date",
            "The integration was saved with Mode Live while the stored one runs in shadow mode, and CutOverDate is not set. Without it every order the shadow run saw would be booked at once.",
            "Set \"cutOverDate\" (ISO 8601 with offset) in the settings file: orders placed before it are skipped with the reason, later ones book. Check `junipeer shadow report` first.", false),
        new(CliArgumentsInvalid, "The command line is invalid",
            "An unknown command or option, a missing required option, or a value that does not parse (the message names each).",
            "Run `junipeer <command> --help` for the options; exit code 2.", false),
        new(CliUnexpectedError, "The command failed unexpectedly",
            "An error without a code of its own (a bug or an unforeseen environment problem). The message keeps the error's type and text; no stack trace is printed unless --verbose or JUNIPEER_VERBOSE=1 is set.",
            "Run the command again with --verbose (or JUNIPEER_VERBOSE=1) and report the output with the version. Exit code 70.", false),
        new(SweepFailed, "A sweep of an integration failed as a whole",
            "A timer sweep (orders, shipments) could not read its source for an integration: the shop or ERP is down, refuses the token, or answers errors. The event carries the underlying code in its message; the checkpoint stays, so nothing is skipped.",
            "Nothing if the outage is short: the next sweep catches up. If it repeats, fix the cause the message names (token, permissions, URL), then wait for the next sweep.", true),
        new(WebhookRejected, "Webhooks for this integration are being rejected",
            "A webhook to this integration's URL was refused (bad or missing signature, stale timestamp, malformed body). One event per integration, source and code every 10 minutes; every rejection is logged with its code.",
            "If the sender is yours, align the webhook secret (Centra's Endpoint secret, Visma's subscription secret) with the integration's; otherwise someone is probing the URL. The sweep still picks up every order.", false),
        new(ConnectionAuthFailed, "A connected system refused the integration's credentials",
            "Visma Connect or Centra refused the stored credentials: the client secret or API token expired, was revoked, or lost a permission. Every call of the integration to that system fails until it is fixed.",
            "Renew the credential in the vendor's portal, store it in the secret the settings name, then replay the failed entities (`junipeer replay`).", false),
        new(ConnectSystemUnknown, "No such system can be connected",
            "GET /api/connect/{system}/{integrationId} or the OAuth callback named a system that has no interactive connection (today: vismanet).",
            "Use /api/connect/vismanet/<integration id>.", false),
        new(OAuthStateInvalid, "The OAuth state is unknown or already used",
            "The callback's state was never issued, was already used once (a state works once: it is deleted on the first callback), belongs to another system, or the callback carries none. Nothing was connected.",
            "Start the connection again from /api/connect/<system>/<integration id> and finish it within 10 minutes in the same browser.", false),
        new(OAuthStateExpired, "The OAuth connection was started too long ago",
            "More than 10 minutes passed between starting the connection and the identity provider's callback. The state is spent; nothing was connected.",
            "Start the connection again and finish the sign-in within 10 minutes.", false),
        new(OAuthCodeRejected, "The identity provider refused the authorization code",
            "The token endpoint answered invalid_grant (or another OAuth error) to the code exchange: the code was already used, expired, or the PKCE code_verifier does not match the code_challenge; or the user declined (error on the callback). Nothing was connected.",
            "Start the connection again. If it recurs, check the app's redirect URI and client secret in the Visma Developer Portal.", false),
        new(ConnectionNotEstablished, "The system is not connected yet",
            "The integration uses Erp.VismaNet.Auth Interactive and nobody has completed the sign-in yet (no refresh token is stored), or its tokens were deleted.",
            "Open /api/connect/vismanet/<integration id> as a Visma.net admin with the API User role, choose the company, then `junipeer replay` what failed.", false),
        new(ConnectionRevoked, "The connection was revoked or has expired",
            "Visma Connect refused the stored refresh token (invalid_grant: revoked, expired, or already rotated by a lost response). The connection status shows Revoked with this error; nothing is retried with the refused token.",
            "Reconnect: open /api/connect/vismanet/<integration id> and sign in again, then `junipeer replay` what failed.", false),
        new(ErpModuleMissing, "An ERP module the flows need is not available",
            "Preflight probed an endpoint an enabled flow uses and Visma.net refused it (403): the company has no licence for the module (the message names it: Customers, Financials, Inventory, Sales) or the API user's role lacks it.",
            "Activate the module for the company in Visma.net (or the subscription), give the integration user the role for it, then run `junipeer preflight` again.", false),
        new(ErpCustomerNumberingManual, "The customer number series does not number automatically",
            "Preflight read the customer number series (Number series, Junipeer Preflight customer numbering id) and it is set to manual numbering or missing, so customers created for new buyers would be refused.",
            "In Visma.net open Number series (CS201010), clear Manual numbering on the customer series (or set up the series), then run `junipeer preflight` again.", false),
        new(ErpTaxSetupMissing, "A customer class, VAT zone or VAT category the mapping names does not exist",
            "Preflight looked up the customer class, VAT zone and VAT categories named by a VAT mapping (domestic, EU B2B, export or an OSS country) and Visma.net has no such entry (or the category is inactive).",
            "Create the missing entry in Visma.net (Customer classes, VAT zones, VAT categories) or correct the mapping in the integration settings, then run preflight again.", false),
        new(ErpWarehouseMissing, "A warehouse the stock mapping names does not exist",
            "Preflight read the Visma.net warehouses and one named in Stock.Warehouses is missing or inactive.",
            "Create or activate the warehouse in Visma.net, or correct Stock.Warehouses, then run preflight again.", false),
        new(IntegrationFieldUnknown, "The settings file has a field Junipeer does not know",
            "`integration add` found a field that is not an integration setting (often a misspelling); it refuses the file instead of silently ignoring the value. The message names the field's path and the closest known name.",
            "Rename the field as suggested (docs/configuration.md lists every setting) and run `integration add` again.", false),
        new(SecretStoreLocked, "The local secret store cannot be opened with this key",
            "The encrypted local secret store (.junipeer/secrets.json) was written with another key than JUNIPEER_SECRETS_KEY (or the user-profile key file), or the file was altered.",
            "Use the key the store was created with, or delete the store and set the secrets again with `junipeer secret set`.", false),
        new(CustomerNumberConflict, "The next Visma.net customer number is already taken",
            "Visma.net refused a new customer because the number its customer series gave (auto-numbering) already belongs to another customer: the series overlaps numbers that were entered by hand or imported. That customer was not created; the sync went on with the other customers and retries it on every run.",
            "In Visma.net open Number series (CS201010) and move the customer series' last number past the highest number in use (or give manual customers their own range); the next customer sync run creates the customer.", false),
        new(ErpResponseMalformed, "The ERP answered with a body that is not the documented JSON",
            "Visma.net (or a gateway in front of it) answered a call with a body that could not be read: an HTML page, a cut-off or wrongly shaped JSON, or an empty body where a list was expected. Nothing was read from it; an empty list answer is never taken as \"no documents\".",
            "Nothing to fix by hand: the item is retried by the queue. If it persists (the item ends SYNC_RETRIES_EXHAUSTED), check the Visma.net status page and the ApiBaseUrl of the integration.", true),
        new(ShopResponseMalformed, "The shop answered with a body that is not GraphQL JSON",
            "Centra (or a gateway in front of it) answered a GraphQL call with status 200 but a body that is not GraphQL JSON (an HTML page, a cut-off answer), or with neither data nor errors. The operation's outcome is unknown; nothing was read from the answer.",
            "Nothing to fix by hand: the item is retried by the queue (a transient gateway page no longer fails the order). If it persists, check the Centra GraphQL URL of the integration and Centra's status.", true),
        new(ReplayOrderNumberInvalid, "A replayed order number is not a Centra order number",
            "`junipeer replay --order` was given a value that is not a Centra order number (digits only, no leading zero, at most 2147483647), e.g. text with quotes, slashes, OData operators or control characters. Nothing was enqueued.",
            "Pass the order numbers as Centra shows them, e.g. `--order 1001 1002`.", false),
        new(OrderCurrencyUnknown, "The order's currency is not an ISO 4217 currency",
            "The shop returned an order whose currency code is not an active ISO 4217 code (e.g. XYZ, or text that is not a code). Nothing was written to the ERP.",
            "Correct the order's currency (pricelist) in the shop, then `junipeer replay --integration <id> --order <number>`.", false),
        new(OrderAmountInvalid, "The order's amounts cannot be invoiced",
            "The shop returned an order with a negative total, nothing to invoice (every line has quantity and amount 0 and there is no shipping), or an amount or quantity of one billion or more: a corrupted or forged order. Nothing was written to the ERP.",
            "Correct the order in the shop (or cancel it there), then `junipeer replay --integration <id> --order <number>`.", false),
        new(ConsoleUnauthorized, "Sign in to the operator console",
            "A console page or API was requested without a valid session: no cookie or bearer token, a wrong or expired one, a wrong admin secret at sign-in, or (with App Service Authentication on) no signed-in principal.",
            "Locally: open the console address `junipeer run` prints and sign in with Junipeer__Console__AdminSecret (or send `Authorization: Bearer <secret>`). In Azure: sign in through Entra ID (App Service Authentication).", false),
        new(ConsoleAuthNotConfigured, "The operator console has no sign-in configured",
            "Neither Junipeer__Console__EasyAuth (App Service Authentication in front of the app) nor Junipeer__Console__AdminSecret (at least 16 characters) is set, so nobody can be let in and every console route answers 401.",
            "In Azure keep App Service Authentication on and set Junipeer__Console__EasyAuth=true (the Bicep does); locally set Junipeer__Console__AdminSecret in local.settings.json or the environment.", false),
        new(ConsoleCsrfInvalid, "A console action came without its anti-forgery token",
            "A POST to the console API carried the session cookie but not the X-Junipeer-Csrf header matching the session (a request from another site, or a page older than the session).",
            "Reload the console page (it fetches a fresh token) and repeat the action; scripts should use a bearer token instead of the cookie.", false),
        new(OperationFlowNotSupported, "The operation is not available for this flow",
            "The flow named is not one with ledger rows, or the operation does not apply to it: its rows are synced by a parent work item (customers by their order, payout payments and refunds by their payout), or it has no backfill source.",
            "Use one of the flows the message lists, or retry the parent entity (the order, the payout).", false),
        new(OperationRequestInvalid, "The operation's input is invalid",
            "A console or CLI operation got a missing or malformed value: no entity key, an unreadable or future backfill date, a day or take count out of range, an unknown error code filter, or a body that is not the expected JSON.",
            "Correct the value the message names and repeat the request.", false),
        new(LedgerEntityNotFound, "No such entity in the ledger",
            "Retry names an entity that has no ledger row for this integration and flow: it was never synced (or the key is misspelt).",
            "Check the key with `junipeer status --integration <id>`; to sync entities never seen, use `junipeer backfill --integration <id> --flow orders --from <date>`.", false),
        new(RefundExceedsInvoice, "A refund is larger than what is left to credit on its invoice",
            "The refunds made in Centra for the order, up to and including this one, add up to more than the invoice's total (the message shows both). No credit note was booked for this refund; earlier refunds of the order stay booked.",
            "Check the refunds in Centra (a refund booked twice, a refund of shipping or goods never invoiced) and book the difference by hand; `junipeer replay` cannot fix the amounts.", false),
        new(RefundInvoiceNotFound, "A refund's invoice does not exist yet",
            "A refund was made in Centra for an order whose invoice is not in Visma yet (the order flow has not booked it, or it failed). Nothing was booked; the refund is retried every Payouts.UnmatchedRetryMinutes for Payouts.UnmatchedRetryHours, then marked Failed.",
            "Usually nothing: once the order's invoice is booked the retry books the credit note. If the order failed, fix and replay the order first; after the retries ran out, the next refund sweep books it.", true),
        new(RefundCurrencyMismatch, "The refund's currency differs from the invoice's",
            "Centra reports the refund in another currency than the invoice it reverses; a credit note applied to an invoice must be in the invoice's currency, and no rate is guessed. Nothing was booked for this refund.",
            "Book the credit note by hand in the invoice's currency; check the order's currency in Centra against the invoice.", false),
        new(PayoutChargeback, "A chargeback was reported in a payout",
            "The PSP debited a disputed sale in this payout. Per Payouts.ChargebackHandling it was booked as a credit note on the invoice (CreditNote) or not booked at all (ReportOnly: the invoice keeps the disputed amount open). This event is raised for every chargeback either way.",
            "Follow up the dispute with the PSP. With ReportOnly, settle the invoice's open amount by hand once the dispute is decided (credit note if lost, payment if won).", false),
        new(PayoutBatchOverdue, "No new settlement batch has been found for a merchant account for too long",
            "The payout timer probes the next batch number of each Adyen merchant account in payouts.providers.adyen.merchantAccounts, and the PSP has not served a new one for longer than Junipeer:Payouts:BatchOverdueHours (for an account never found: since the timer began to look). A mistyped merchant account, a firstBatch beyond the account's batches, or a payout schedule slower than the setting all look like \"not published yet\".",
            "Check the merchant account code and firstBatch against the Customer Area (Reports > settlement details report names); if payouts are simply rarer (weekly), raise Junipeer:Payouts:BatchOverdueHours. When the message says a later batch exists, the number asked for is missing: book that batch by hand if it is real and set the account's firstBatch past it. The alert stops once a new batch is found.", false),
        new(PayoutBatchAccountRefused, "The first report download of a merchant account was refused",
            "The payout timer's very first probe of an Adyen merchant account (no batch of it found before) was answered 401/403: the report user's credentials are wrong, or it may not read this merchant account, or the account code is not one the company has. Adyen's docs do not say which status marks which cause. The other accounts are probed as usual.",
            "Check the report user (payouts.providers.adyen.apiKeySecretName, \"user:password\") and its merchant account access in the Customer Area, and the account code in merchantAccounts; the next timer run probes again.", false),
    ];

    public static ErrorDefinition Get(string code) =>
        All.FirstOrDefault(e => e.Code == code) ?? throw new ArgumentException($"Unknown error code {code}", nameof(code));
}
