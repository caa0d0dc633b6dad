using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Resolvers;
using GraphQL.SystemTextJson;
using GraphQL.Types;
using GraphQLParser.AST;

namespace Junipeer.Sandbox.Centra;

/// <summary>A GraphQL error in Centra's shape: <c>extensions.category</c>.</summary>
internal sealed class CentraGraphQlError(string message, string category) : ExecutionError(message)
{
    public string Category { get; } = category;
}

/// <summary>The outcome of one request: the response body, and whether the query itself was off-contract.</summary>
internal sealed record CentraGraphQlOutcome(JsonObject Body, bool RequestError, string? Violation);

/// <summary>
/// The Centra Integration API emulator's engine: GraphQL.NET parses, validates (against
/// <c>contracts/centra/integration-api.graphql</c>, embedded) and executes every query. Resolvers
/// read the order JSON that <see cref="CentraState"/> builds; each field guarded by
/// <c>@requiresPermission</c> is checked against the token's permissions and, when missing, answered
/// like Centra: the field is null and <c>errors[]</c> says "You need X permission to access f." with
/// <c>extensions.category: "authorization"</c>.
/// </summary>
internal static partial class CentraGraphQl
{
    public const string SdlResource = "Junipeer.Sandbox.Centra.integration-api.graphql";

    private static readonly Lazy<string> SdlText = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(SdlResource)
                           ?? throw new InvalidOperationException("The Centra SDL is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private static readonly Lazy<IReadOnlyDictionary<string, string>> PermissionMap = new(() => ReadPermissions(SdlText.Value));

    private static readonly DocumentExecuter Executer = new();

    private static readonly GraphQLSerializer Serializer = new(new CentraErrorInfoProvider());

    /// <summary>The SDL text the emulator serves.</summary>
    public static string Sdl => SdlText.Value;

    /// <summary>Every permission some field of the contract needs ("Type.field" → permission).</summary>
    public static IReadOnlyDictionary<string, string> Permissions => PermissionMap.Value;

    public static async Task<CentraGraphQlOutcome> ExecuteAsync(CentraState centra, string query, string? operationName, Inputs variables, CancellationToken ct)
    {
        // One schema for all requests (GraphQL.NET schemas are thread-safe once initialized); the state, the
        // token's permissions and the permissions used travel in the user context.
        var request = new RequestContext(centra, centra.GrantedPermissions());
        var used = request.Used;
        var result = await Executer.ExecuteAsync(o =>
        {
            o.Schema = SharedSchema.Value;
            o.UserContext = request;
            o.Query = query;
            o.OperationName = operationName;
            o.Variables = variables;
            o.CancellationToken = ct;
            o.ThrowOnUnhandledException = false;

            // An emulator bug should say what broke (the sandbox is a test tool, not a production server).
            o.UnhandledExceptionDelegate = ctx =>
            {
                ctx.ErrorMessage = $"Sandbox error: {ctx.OriginalException.GetType().Name}: {ctx.OriginalException.Message}";
                return Task.CompletedTask;
            };
        });

        var body = JsonNode.Parse(Serializer.Serialize(result))!.AsObject();
        var requestError = !result.Executed;
        string? violation = null;
        if (requestError)
        {
            violation = string.Join("; ", (result.Errors ?? []).Select(e => e.Message));
            body.Remove("data");
        }

        body["extensions"] = new JsonObject
        {
            ["complexity"] = requestError ? 0 : 10 + (25 * CountOrders(body)),
            ["permissionsUsed"] = new JsonArray([.. used.Select(p => (JsonNode)p)]),
        };
        return new CentraGraphQlOutcome(body, requestError, violation);
    }

    private static int CountOrders(JsonObject body) => body["data"]?["orders"] is JsonArray a ? a.Count : 0;

    private static readonly Lazy<Schema> SharedSchema = new(() =>
    {
        var schema = BuildSchema();
        schema.Initialize();
        return schema;
    });

    /// <summary>Per-request data the resolvers need.</summary>
    private sealed class RequestContext(CentraState centra, IReadOnlySet<string> granted) : Dictionary<string, object?>
    {
        public CentraState Centra { get; } = centra;

        public IReadOnlySet<string> Granted { get; } = granted;

        public SortedSet<string> Used { get; } = new(StringComparer.Ordinal);
    }

    private static Schema BuildSchema()
    {
        var document = GraphQLParser.Parser.Parse(Sdl);
        var schema = Schema.For(Sdl, b =>
        {
            foreach (var def in document.Definitions)
            {
                switch (def)
                {
                    case GraphQLObjectTypeDefinition obj:
                        var typeName = obj.Name.StringValue;
                        var config = b.Types.For(typeName);
                        config.IsTypeOfFunc = source => source is JsonObject j && string.Equals(TypeNameOf(j), typeName, StringComparison.Ordinal);
                        foreach (var field in obj.Fields?.Items ?? [])
                        {
                            var fieldName = field.Name.StringValue;
                            config.FieldFor(fieldName).Resolver = (typeName, fieldName) switch
                            {
                                ("Query", "orders") => new FuncFieldResolver<object?>(ctx => Guard(ctx, () => ResolveOrders(((RequestContext)ctx.UserContext).Centra, ctx))),
                                ("Query", "productSizes") => new FuncFieldResolver<object?>(ctx => Guard(ctx, () => ResolveProductSizes(((RequestContext)ctx.UserContext).Centra, ctx))),
                                ("Query", "customers") => new FuncFieldResolver<object?>(ctx => Guard(ctx, () => ResolveCustomers(((RequestContext)ctx.UserContext).Centra, ctx))),
                                ("Mutation", "createCustomer") => new FuncFieldResolver<object?>(ctx => Guard(ctx, () => ResolveCreateCustomer(((RequestContext)ctx.UserContext).Centra, ctx))),
                                ("Mutation", "updateCustomer") => new FuncFieldResolver<object?>(ctx => Guard(ctx, () => ResolveUpdateCustomer(((RequestContext)ctx.UserContext).Centra, ctx))),
                                ("Mutation", "setStock") => new FuncFieldResolver<object?>(ctx => Guard(ctx, () => ResolveSetStock(((RequestContext)ctx.UserContext).Centra, ctx))),
                                ("Mutation", "createShipment") => new FuncFieldResolver<object?>(ctx => Guard(ctx, () =>
                                    ((RequestContext)ctx.UserContext).Centra.CreateShipment(ArgumentJson(ctx, "input")))),
                                ("Mutation", "captureShipment") => new FuncFieldResolver<object?>(ctx => Guard(ctx, () =>
                                    ((RequestContext)ctx.UserContext).Centra.CaptureShipment(ctx.GetArgument<int>("id")))),
                                ("Query", "products") => new FuncFieldResolver<object?>(ctx => Guard(ctx, () => ResolveProducts(((RequestContext)ctx.UserContext).Centra, ctx))),
                                ("Mutation", "createProduct") => new FuncFieldResolver<object?>(ctx => Guard(ctx, () => ResolveCreateProduct(((RequestContext)ctx.UserContext).Centra, ctx))),
                                ("Mutation", "updateProduct") => new FuncFieldResolver<object?>(ctx => Guard(ctx, () => ResolveUpdateProduct(((RequestContext)ctx.UserContext).Centra, ctx))),
                                ("Mutation", "createProductVariant") => new FuncFieldResolver<object?>(ctx => Guard(ctx, () => ResolveCreateProductVariant(((RequestContext)ctx.UserContext).Centra, ctx))),
                                ("Mutation", "createProductSize") => new FuncFieldResolver<object?>(ctx => Guard(ctx, () => ResolveCreateProductSize(((RequestContext)ctx.UserContext).Centra, ctx))),
                                _ => new FuncFieldResolver<object?>(ctx => Guard(ctx, () => ResolveField(ctx))),
                            };
                        }

                        break;
                }
            }
        });
        schema.RegisterType(new DateTimeTzGraphType());

        // Centra's names as written (e.g. ProductSize.SKU): no camel-casing of field names.
        schema.NameConverter = GraphQL.Conversion.DefaultNameConverter.Instance;
        return schema;
    }

    private static string? TypeNameOf(JsonObject j) => j["__typename"]?.GetValue<string>();

    private static object? Guard(IResolveFieldContext ctx, Func<object?> resolve)
    {
        if (Permissions.TryGetValue(ctx.ParentType.Name + "." + ctx.FieldDefinition.Name, out var permission))
        {
            var request = (RequestContext)ctx.UserContext;
            var used = request.Used;
            var granted = request.Granted;
            lock (used)
            {
                used.Add(permission);
            }

            if (!granted.Contains(permission))
            {
                ctx.Errors.Add(new CentraGraphQlError($"You need {permission} permission to access {ctx.FieldDefinition.Name}.", "authorization")
                {
                    Path = ctx.Path,
                });
                return null;
            }
        }

        return resolve();
    }

    private static object? ResolveField(IResolveFieldContext ctx)
    {
        if (ctx.Source is not JsonObject source)
        {
            return null;
        }

        var name = ctx.FieldDefinition.Name;

        // Money fields with includingTax:false read the net twin the state computes ("<field>Net").
        if (ctx.Arguments is { } args && args.TryGetValue("includingTax", out var inc) && inc.Value is false && source.ContainsKey(name + "Net"))
        {
            name += "Net";
        }

        return ToClr(source[name]);
    }

    /// <summary>An input argument as JSON (dates as ISO-8601 text), for the state's mutation methods.</summary>
    private static JsonObject? ArgumentJson(IResolveFieldContext ctx, string name) =>
        ctx.GetArgument<Dictionary<string, object?>?>(name) is { } value
            ? System.Text.Json.JsonSerializer.SerializeToNode(value) as JsonObject
            : null;

    private static object? ToClr(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o,
        JsonArray a => a.Select(ToClr).ToList(),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<decimal>(out var d) => d,
        JsonValue v => v.GetValue<double>(),
        _ => null,
    };

    // ------------------------------------------------------------ Query.productSizes, Mutation.setStock

    private static List<object?> ResolveProductSizes(CentraState centra, IResolveFieldContext ctx)
    {
        // Defaults are not in our copy of the docs; the emulator uses 20 and 1 as for orders.
        var limit = ctx.GetArgument<int?>("limit") ?? 20;
        var page = ctx.GetArgument<int?>("page") ?? 1;
        if (limit < 1 || page < 1)
        {
            ctx.Errors.Add(new CentraGraphQlError("limit and page must be positive.", "graphql") { Path = ctx.Path });
            return [];
        }

        return centra.ProductSizesPage(limit, page);
    }

    private static JsonObject? ResolveSetStock(CentraState centra, IResolveFieldContext ctx)
    {
        var input = ctx.GetArgument<Dictionary<string, object?>>("input");
        var (payload, error) = centra.SetStock(input);
        if (error is not null)
        {
            ctx.Errors.Add(new CentraGraphQlError(error, "validation") { Path = ctx.Path });
            return null;
        }

        return payload;
    }

    // ------------------------------------------------------------ Query.orders

    private static List<object?> ResolveOrders(CentraState centra, IResolveFieldContext ctx)
    {
        centra.BeforeOrdersQuery();
        var where = ctx.GetArgument<Dictionary<string, object?>?>("where");
        var sort = AsList(ctx.Arguments?.TryGetValue("sort", out var s) == true ? s.Value : null).Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)!).ToList();

        // Centra's defaults for limit/page are not in our copy of the docs; the emulator uses 20 and 1.
        var limit = ctx.GetArgument<int?>("limit") ?? 20;
        var page = ctx.GetArgument<int?>("page") ?? 1;
        if (limit < 1 || page < 1)
        {
            ctx.Errors.Add(new CentraGraphQlError("limit and page must be positive.", "graphql") { Path = ctx.Path });
            return [];
        }

        IEnumerable<JsonObject> orders = centra.OrderJsonSnapshot().Where(o => Matches(o, where));
        IOrderedEnumerable<JsonObject>? ordered = null;
        foreach (var key in sort.Count == 0 ? ["id_ASC"] : sort)
        {
            var cut = key.LastIndexOf('_');
            var field = key[..cut];
            var desc = key[(cut + 1)..] == "DESC";
            Func<JsonObject, IComparable?> selector = field switch
            {
                "number" => o => (IComparable?)Junipeer.Sandbox.Infrastructure.Wire.AsLong(o["number"]),
                "id" => o => (string?)o["id"],
                _ => o => ParseDate((string?)o[field]),
            };
            ordered = ordered is null
                ? desc ? orders.OrderByDescending(selector) : orders.OrderBy(selector)
                : desc ? ordered.ThenByDescending(selector) : ordered.ThenBy(selector);
        }

        return [.. (ordered ?? orders).Skip((int)Math.Min((long)(page - 1) * limit, int.MaxValue)).Take(limit)];
    }

    private static bool Matches(JsonObject order, Dictionary<string, object?>? where)
    {
        if (where is null)
        {
            return true;
        }

        foreach (var (key, value) in where)
        {
            if (value is null)
            {
                continue;
            }

            var ok = key switch
            {
                "number" => InList(value, Junipeer.Sandbox.Infrastructure.Wire.AsLong(order["number"])),
                "id" => InList(value, (string?)order["id"]),
                "status" => InList(value, (string?)order["status"]),
                "storeId" => InList(value, Junipeer.Sandbox.Infrastructure.Wire.AsLong(order["store"]?["id"])),
                "marketId" => InList(value, Junipeer.Sandbox.Infrastructure.Wire.AsLong(order["market"]?["id"])),
                "pricelistId" => InList(value, Junipeer.Sandbox.Infrastructure.Wire.AsLong(order["pricelist"]?["id"])),
                "storeType" => string.Equals(Convert.ToString(value, CultureInfo.InvariantCulture), (string?)order["store"]?["type"], StringComparison.Ordinal),
                "isOnHold" => Equals(value, (bool?)order["isOnHold"]),
                "createdAt" or "updatedAt" or "orderDate" => InRange(value, ParseDate((string?)order[key])),

                // Filters the emulator does not model (e.g. countryId: Centra's country ids are not ISO codes) match nothing,
                // so a connector that relies on them sees it in a test instead of silently getting everything.
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool InList<T>(object value, T? actual) =>
        actual is not null && AsList(value).Any(v => string.Equals(Convert.ToString(v, CultureInfo.InvariantCulture), Convert.ToString(actual, CultureInfo.InvariantCulture), StringComparison.Ordinal));

    private static List<object?> AsList(object? value) => value switch
    {
        null => [],
        string s => [s],
        IEnumerable e => [.. e.Cast<object?>()],
        _ => [value],
    };

    private static bool InRange(object value, DateTimeOffset? actual)
    {
        if (actual is null || value is not IDictionary<string, object?> range)
        {
            return false;
        }

        // Both bounds inclusive: Centra does not document it (see the SDL comment on DateRange).
        return (!range.TryGetValue("from", out var from) || from is not DateTimeOffset f || actual >= f)
               && (!range.TryGetValue("to", out var to) || to is not DateTimeOffset t || actual <= t);
    }

    private static DateTimeOffset? ParseDate(string? s) =>
        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;

    // ------------------------------------------------------------ SDL reading

    private static Dictionary<string, string> ReadPermissions(string sdl)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var def in GraphQLParser.Parser.Parse(sdl).Definitions)
        {
            var (name, fields) = def switch
            {
                GraphQLObjectTypeDefinition o => (o.Name.StringValue, o.Fields),
                GraphQLInterfaceTypeDefinition i => (i.Name.StringValue, i.Fields),
                _ => (null, null),
            };
            if (name is null)
            {
                continue;
            }

            foreach (var field in fields?.Items ?? [])
            {
                var directive = field.Directives?.Items.FirstOrDefault(d => d.Name.StringValue == "requiresPermission");
                if (directive?.Arguments?.Items.FirstOrDefault(a => a.Name.StringValue == "name")?.Value is GraphQLStringValue permission)
                {
                    map[name + "." + field.Name.StringValue] = (string)permission.Value;
                }
            }
        }

        return map;
    }

    /// <summary>Centra's error shape: message, locations, path and <c>extensions.category</c> only.</summary>
    private sealed class CentraErrorInfoProvider : IErrorInfoProvider
    {
        public ErrorInfo GetInfo(ExecutionError executionError) => new()
        {
            Message = executionError.Message,
            Extensions = new Dictionary<string, object?>
            {
                // Centra documents "authorization" (Authorization page). For syntax/validation errors Centra's
                // category is not documented; "graphql" is what webonyx/graphql-php (Centra runs PHP) uses: UNCERTAIN.
                ["category"] = executionError is CentraGraphQlError c ? c.Category : "graphql",
            },
        };
    }
}

/// <summary>Centra's <c>DateTimeTz</c> scalar: ISO-8601 with an offset ("2023-01-16T10:31:34+01:00").</summary>
internal sealed class DateTimeTzGraphType : ScalarGraphType
{
    public DateTimeTzGraphType()
    {
        Name = "DateTimeTz";
    }

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        DateTimeOffset d => d,
        string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) => d,
        _ => ThrowValueConversionError(value),
    };

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLNullValue => null,
        GraphQLStringValue s => ParseValue((string)s.Value),
        _ => ThrowLiteralConversionError(value),
    };

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        string s => s,
        DateTimeOffset d => CentraState.DateTimeTz(d),
        _ => ThrowSerializationError(value),
    };
}
