using System.Collections;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Junipeer.Connectors.VismaNet.Dtos;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Sandbox;
using Microsoft.OpenApi;
using static Junipeer.Tests.Sandbox.SandboxKit;

namespace Junipeer.Tests.Contracts;

/// <summary>
/// The Visma.net connector and the Sandbox emulator checked against Visma's published OpenAPI
/// documents (contracts/visma, loaded with Microsoft.OpenApi).
/// </summary>
public class VismaContractTests
{
    private static VismaContract Contract => VismaContract.Instance;

    public static TheoryData<string, string, string> ReadDtos() => new()
    {
        { nameof(CustomerDto), "GET", "/v1/customer/{customerCd}" },
        { nameof(CustomerDto), "GET", "/v1/customer" },
        { nameof(CustomerInvoiceDto), "GET", "/v1/customerinvoice/{invoiceNumber}" },
        { nameof(CustomerInvoiceDto), "GET", "/v1/customerinvoice" },
        { nameof(PaymentDto), "GET", "/v1/customerPayment/{paymentNumber}" },
        { nameof(PaymentDto), "GET", "/v1/customerPayment" },
        { nameof(VatCategoryDto), "GET", "/v1/vatCategory" },
        { nameof(ActionResultDto), "POST", "/v1/customerinvoice/{invoiceNumber}/action/release" },
        { nameof(InventoryDto), "GET", "/v1/inventory" },
        { nameof(InventoryDto), "GET", "/v1/inventory/{inventoryNumber}" },
        { nameof(ShipmentDto), "GET", "/v1/shipment/{shipmentNbr}" },
        { nameof(ShipmentDto), "GET", "/v1/shipment" },
    };

    public static TheoryData<string, string, string> WriteDtos() => new()
    {
        { nameof(CustomerUpdateDto), "POST", "/v1/customer" },
        { nameof(CustomerUpdateDto), "PUT", "/v1/customer/{customerCd}" },
        { nameof(ShipmentUpdateDto), "PUT", "/v1/shipment/{shipmentNbr}" },
        { nameof(CustomerInvoiceUpdateDto), "POST", "/v2/customerinvoice" },
        { nameof(PaymentUpdateDto), "POST", "/v1/customerPayment" },
        { nameof(PaymentReleaseActionDto), "POST", "/v1/customerPayment/{paymentNumber}/action/release" },
        { nameof(CustomerCreditNoteUpdateDto), "POST", "/v1/customerCreditNote" },
        { nameof(CustomerCreditNoteUpdateDto), "POST", "/v2/customerCreditNote" },
    };

    [Fact]
    public void The_published_documents_load_with_Microsoft_OpenApi_and_cover_every_operation_the_connector_calls()
    {
        Assert.Equal(13, Contract.Documents.Count); // customer, invoice v1 + v2, payment, VAT category, credit note v1 + v2, inventory, shipment; preflight: number series, warehouse, VAT zone, customer class
        string[] used =
        [
            "GET /v1/customer", "POST /v1/customer", "GET /v1/customer/{customerCd}", "PUT /v1/customer/{customerCd}",
            "GET /v1/customerinvoice", "GET /v1/customerinvoice/{invoiceNumber}", "POST /v1/customerinvoice/{invoiceNumber}/action/release",
            "POST /v2/customerinvoice", "GET /v1/customerPayment", "POST /v1/customerPayment", "GET /v1/customerPayment/{paymentNumber}",
            "POST /v1/customerPayment/{paymentNumber}/action/release", "GET /v1/vatCategory",
            "GET /v1/customerCreditNote", "POST /v2/customerCreditNote", "GET /v1/customerCreditNote/{creditNoteNumber}",
            "POST /v1/customerCreditNote/{creditNoteNumber}/action/release", "GET /v1/inventory", "GET /v1/inventory/{inventoryNumber}",
            "GET /v1/shipment", "GET /v1/shipment/{shipmentNbr}", "PUT /v1/shipment/{shipmentNbr}",
        ];
        foreach (var op in used)
        {
            var parts = op.Split(' ');
            Assert.NotNull(Contract.Get(parts[0], parts[1]));
        }

        Assert.Null(Contract.Find("GET", "/v1/supplier"));
    }

    [Theory]
    [MemberData(nameof(ReadDtos))]
    public void Every_property_a_read_DTO_reads_exists_in_the_response_schema(string dto, string method, string template)
    {
        var schema = Contract.Get(method, template).ResponseSchema;
        Assert.NotNull(schema);
        if (schema.Type?.HasFlag(JsonSchemaType.Array) == true)
        {
            schema = schema.Items!;
        }

        var problems = new List<string>();
        CheckObject(DtoType(dto), schema, dto, problems);
        Assert.True(problems.Count == 0, $"{dto} reads fields that {method} {template} does not publish:\n" + string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(WriteDtos))]
    public void Every_property_a_write_DTO_sends_exists_in_the_request_schema_with_the_same_wrapping(string dto, string method, string template)
    {
        var schema = Contract.Get(method, template).RequestSchema;
        Assert.NotNull(schema);
        var problems = new List<string>();
        CheckObject(DtoType(dto), schema, dto, problems);
        Assert.True(problems.Count == 0, $"{dto} sends fields that {method} {template} does not accept:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void The_DTO_walk_catches_a_misspelled_field_and_a_wrong_wrapping()
    {
        var problems = new List<string>();
        CheckObject(typeof(MisspelledInvoice), Contract.Get("POST", "/v2/customerinvoice").RequestSchema!, "MisspelledInvoice", problems);

        Assert.Contains(problems, p => p.Contains("customerRefNumbr", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("hold", StringComparison.Ordinal) && p.Contains("wrapped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_misspelled_field_is_rejected_with_400_naming_it_and_counted_in_the_violations()
    {
        await using var kit = await StartAsync();
        kit.ExpectContractViolations = true;
        using var visma = await kit.VismaClientAsync();

        using var response = await visma.PostAsJsonAsync("v2/customerinvoice", new
        {
            customerNumber = V("10000"),
            customerRefNumbr = V("CENTRA-1"),
            invoiceLines = new object[] { new { operation = "Insert", quantity = V(1), unitPriceInCurrency = V(100m), vatCodeId = V("1") } },
        }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await ObjectAsync(response))["message"]!.GetValue<string>();
        Assert.StartsWith("VismaId: ", message, StringComparison.Ordinal);
        Assert.Contains("Unknown field 'customerRefNumbr' in CustomerInvoiceUpdateDto", message, StringComparison.Ordinal);
        Assert.Empty(kit.Host.State.Visma.Invoices(TenantA));

        var violations = await ViolationsAsync(kit);
        Assert.Equal(1, violations["count"]!.GetValue<int>());
        var v = violations["violations"]!.AsArray().Single()!;
        Assert.Equal("visma", v["vendor"]!.GetValue<string>());
        Assert.Equal("POST", v["method"]!.GetValue<string>());
        Assert.Equal("/v2/customerinvoice", v["path"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bare_value_where_a_value_wrapper_is_expected_is_rejected_and_named()
    {
        await using var kit = await StartAsync();
        kit.ExpectContractViolations = true;
        using var visma = await kit.VismaClientAsync();

        using var response = await visma.PostAsJsonAsync("v1/customer", new { name = "Anna Berg", customerClassId = V("WEB") }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await ObjectAsync(response))["message"]!.GetValue<string>();
        Assert.Contains("Field 'name' in CustomerUpdateDto must be value-wrapped as { \"value\": ... }, got a bare string.", message, StringComparison.Ordinal);
        Assert.Empty(kit.Host.State.Visma.Customers(TenantA));
        Assert.Equal(1, (await ViolationsAsync(kit))["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Unknown_query_parameters_bad_enums_and_bad_formats_are_rejected_and_named()
    {
        await using var kit = await StartAsync();
        kit.ExpectContractViolations = true;
        using var visma = await kit.VismaClientAsync();

        using var paged = await visma.GetAsync("v1/vatCategory?pageNumber=1&pageSize=1000", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, paged.StatusCode);
        var message = (await ObjectAsync(paged))["message"]!.GetValue<string>();
        Assert.Contains("Unknown query parameter 'pageNumber' for GET /v1/vatCategory.", message, StringComparison.Ordinal);
        Assert.Contains("Unknown query parameter 'pageSize' for GET /v1/vatCategory.", message, StringComparison.Ordinal);

        using var badEnum = await visma.GetAsync("v1/customerinvoice?status=Released", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badEnum.StatusCode);
        Assert.Contains("'Released' is not one of Hold, Balanced", (await ObjectAsync(badEnum))["message"]!.GetValue<string>(), StringComparison.Ordinal);

        using var badDate = await visma.GetAsync("v1/customerinvoice?lastModifiedDateTime=04.05.2026&lastModifiedDateTimeCondition=%3E%3D", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
        Assert.Contains("'04.05.2026' is not in an accepted format", (await ObjectAsync(badDate))["message"]!.GetValue<string>(), StringComparison.Ordinal);

        using var alone = await visma.GetAsync("v1/customer?lastModifiedDateTime=2026-05-04", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, alone.StatusCode);
        Assert.Contains("must be sent together", (await ObjectAsync(alone))["message"]!.GetValue<string>(), StringComparison.Ordinal);

        using var badPage = await visma.GetAsync("v1/customer?pageSize=many", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
        Assert.Contains("'many' is not an integer", (await ObjectAsync(badPage))["message"]!.GetValue<string>(), StringComparison.Ordinal);

        using var unknownOp = await visma.GetAsync("v1/supplier", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, unknownOp.StatusCode);
        Assert.Contains("Unknown operation GET /v1/supplier", (await ObjectAsync(unknownOp))["message"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.Equal(7, (await ViolationsAsync(kit))["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_body_on_an_operation_that_declares_none_is_a_violation()
    {
        await using var kit = await StartAsync();
        kit.ExpectContractViolations = true;
        using var visma = await kit.VismaClientAsync();

        using var response = await visma.PostAsync("v1/customerinvoice/000001/action/release", Json(new { }), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("takes no request body", (await ObjectAsync(response))["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lenient_mode_serves_the_request_but_still_records_the_violation()
    {
        await using var kit = await StartAsync(options: o => o.StrictContracts = false);
        kit.ExpectContractViolations = true;
        using var visma = await kit.VismaClientAsync();

        using var response = await visma.PostAsJsonAsync("v1/customer", new { name = V("Anna"), customerClassId = V("WEB"), nickname = V("A") }, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var violations = await ViolationsAsync(kit);
        Assert.Equal(1, violations["count"]!.GetValue<int>());
        Assert.Contains("Unknown field 'nickname' in CustomerUpdateDto", violations["violations"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task<JsonObject> ViolationsAsync(SandboxKit kit)
    {
        using var response = await kit.Http.GetAsync("_sandbox/contract/violations", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ObjectAsync(response);
    }

    private static Type DtoType(string name) =>
        typeof(CustomerDto).Assembly.GetType("Junipeer.Connectors.VismaNet.Dtos." + name, throwOnError: true)!;

    /// <summary>Walks a DTO's [JsonPropertyName] properties against the parsed OpenApiSchema.</summary>
    private static void CheckObject(Type type, IOpenApiSchema schema, string path, List<string> problems)
    {
        foreach (var prop in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = prop.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
            if (name is null)
            {
                continue;
            }

            if (schema.Properties is null || !schema.Properties.TryGetValue(name, out var child))
            {
                problems.Add($"{path}.{name}: not in the published schema");
                continue;
            }

            CheckType(prop.PropertyType, child, $"{path}.{name}", problems);
        }
    }

    private static void CheckType(Type type, IOpenApiSchema schema, string path, List<string> problems)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var schemaType = schema.Type ?? 0;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(VismaValue<>))
        {
            if (schema.Properties is null || !schema.Properties.TryGetValue("value", out var inner))
            {
                problems.Add($"{path}: sent value-wrapped, but the schema is not a {{ value }} wrapper");
                return;
            }

            CheckType(type.GetGenericArguments()[0], inner, path + ".value", problems);
            return;
        }

        if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type))
        {
            if (!schemaType.HasFlag(JsonSchemaType.Array) || schema.Items is null)
            {
                problems.Add($"{path}: a list, but the schema is not an array");
                return;
            }

            CheckType(type.GetGenericArguments()[0], schema.Items, path + "[]", problems);
            return;
        }

        if (type.IsClass && type != typeof(string))
        {
            if (schema.Properties is not { Count: > 0 })
            {
                problems.Add($"{path}: an object, but the schema is not one (or was trimmed as unused)");
                return;
            }

            if (schema.Properties is { Count: 1 } && schema.Properties.ContainsKey("value"))
            {
                problems.Add($"{path}: sent bare, but the schema is a {{ value }} wrapper (must be value-wrapped)");
                return;
            }

            CheckObject(type, schema, path, problems);
            return;
        }

        if (schema.Properties is { Count: 1 } && schema.Properties.ContainsKey("value"))
        {
            problems.Add($"{path}: sent bare, but the schema is a {{ value }} wrapper (must be value-wrapped)");
            return;
        }

        var ok = type == typeof(string) ? schemaType.HasFlag(JsonSchemaType.String)
            : type == typeof(bool) ? schemaType.HasFlag(JsonSchemaType.Boolean)
            : type == typeof(int) || type == typeof(long) ? schemaType.HasFlag(JsonSchemaType.Integer)
            : type == typeof(decimal) || type == typeof(double) ? schemaType.HasFlag(JsonSchemaType.Number) || schemaType.HasFlag(JsonSchemaType.Integer)
            : false;
        if (!ok)
        {
            problems.Add($"{path}: {type.Name} does not fit the schema type {schemaType}");
        }
    }

    /// <summary>A deliberately wrong write DTO: a misspelled field and a bare value where a wrapper is expected.</summary>
    private sealed record MisspelledInvoice
    {
        [JsonPropertyName("customerRefNumbr")] public VismaValue<string>? CustomerRefNumbr { get; init; }
        [JsonPropertyName("hold")] public bool? Hold { get; init; }
    }
}
