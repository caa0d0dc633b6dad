using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Junipeer.Sandbox.Centra;

/// <summary>Body of <c>POST /_sandbox/centra/webhooks</c>.</summary>
public sealed class WebhookRequest
{
    /// <summary>Absolute URL the webhooks are POSTed to.</summary>
    public string TargetUrl { get; set; } = "";

    /// <summary>Centra "Endpoint secret" used for <c>X-Centra-Signature</c>.</summary>
    public string Secret { get; set; } = "";

    /// <summary>One webhook (with one order event) per number, in this order.</summary>
    public List<int> OrderNumbers { get; set; } = [];

    /// <summary>Event action: insert | update.</summary>
    public string Action { get; set; } = "update";

    /// <summary>Probability (0..1) a webhook is never sent.</summary>
    public double DropRate { get; set; }

    /// <summary>Probability (0..1) a sent webhook is sent a second time.</summary>
    public double DuplicateRate { get; set; }

    /// <summary>Seed of this request's drop/duplicate rolls (deterministic).</summary>
    public int Seed { get; set; } = 1;
}

/// <summary>One HTTP POST made by the sender.</summary>
public sealed record WebhookDelivery(int OrderNumber, int Attempt, int Status, string? Error, string Body, string Signature);

/// <summary>What the sender did: every POST, the numbers dropped and the numbers sent twice.</summary>
public sealed record WebhookResult(IReadOnlyList<WebhookDelivery> Deliveries, IReadOnlyList<int> Dropped, IReadOnlyList<int> Duplicated)
{
    /// <summary>Distinct order numbers that were POSTed at least once.</summary>
    public IReadOnlyList<int> Delivered => [.. Deliveries.Select(d => d.OrderNumber).Distinct()];

    /// <summary>HTTP statuses received, in send order (0 when the request failed).</summary>
    public IReadOnlyList<int> Statuses => [.. Deliveries.Select(d => d.Status)];
}

/// <summary>Sends Centra "Integration API" webhooks (form body <c>payload=...</c>, signed).</summary>
public sealed class CentraWebhookSender(SandboxState state, HttpClient http)
{
    public async Task<WebhookResult> SendAsync(WebhookRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Uri.TryCreate(request.TargetUrl, UriKind.Absolute, out var target))
        {
            throw new ArgumentException("targetUrl must be an absolute URL.", nameof(request));
        }

        var random = new Random(request.Seed);
        var deliveries = new List<WebhookDelivery>();
        var dropped = new List<int>();
        var duplicated = new List<int>();
        foreach (var number in request.OrderNumbers)
        {
            // Roll both every time so the sequence of outcomes depends only on the seed and the list.
            var drop = random.NextDouble() < request.DropRate;
            var duplicate = random.NextDouble() < request.DuplicateRate;
            if (drop)
            {
                dropped.Add(number);
                continue;
            }

            deliveries.Add(await PostAsync(target, request, number, 1, ct));
            if (duplicate)
            {
                duplicated.Add(number);
                deliveries.Add(await PostAsync(target, request, number, 2, ct));
            }
        }

        return new WebhookResult(deliveries, dropped, duplicated);
    }

    private async Task<WebhookDelivery> PostAsync(Uri target, WebhookRequest request, int number, int attempt, CancellationToken ct)
    {
        var now = state.Clock.GetUtcNow();
        var payload = new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject
            {
                ["type"] = "order",
                ["action"] = request.Action,
                ["date"] = now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
                ["id"] = number,
            }),
        }.ToJsonString();
        var body = "payload=" + Uri.EscapeDataString(payload);
        var signature = CentraSignature.Header(request.Secret, now.ToUnixTimeSeconds(), body);
        using var message = new HttpRequestMessage(HttpMethod.Post, target);
        message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        message.Headers.TryAddWithoutValidation(CentraSignature.HeaderName, signature);
        state.Stats.Call("webhook POST centra-order");
        try
        {
            using var response = await http.SendAsync(message, ct);
            return new WebhookDelivery(number, attempt, (int)response.StatusCode, null, body, signature);
        }
        catch (HttpRequestException ex)
        {
            return new WebhookDelivery(number, attempt, 0, ex.Message, body, signature);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            return new WebhookDelivery(number, attempt, 0, "timeout: " + ex.Message, body, signature);
        }
    }
}
