using System.Diagnostics;
using System.Text.Json;
using Junipeer.Cli.Azurite;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.EndToEnd;

/// <summary>
/// `junipeer demo --json` as an operator runs it (the built CLI as a process, on the fixture's Azurite):
/// exit 0, the existing keys kept, and the payouts (Stripe payout + Adyen batch, webhooks delivered twice)
/// counted from the emulators.
/// </summary>
public class DemoJsonTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Demo_json_books_both_payouts_once_with_a_credit_note_and_an_unmatched_sale_and_balances_agree()
    {
        var ct = TestContext.Current.CancellationToken;
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!;
        var dll = Path.Combine(AzuriteRunner.RepositoryRoot(), "src", "Junipeer.Cli", "bin", configuration, "net10.0", "junipeer.dll");
        Assert.True(File.Exists(dll), dll);
        var psi = new ProcessStartInfo("dotnet") { ArgumentList = { dll, "demo", "--json" }, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["AzureWebJobsStorage"] = azurite.ConnectionString;
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync(ct);
        var stdout = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var log = await stderr;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{stdout}\n{log[Math.Max(0, log.Length - 4000)..]}");

        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        foreach (var key in new[] { "orders", "payments", "vat", "failures", "webhooks", "vismaCalls", "customersCreated", "invoices", "durationSeconds", "faults", "contract", "unfinished", "products", "stock", "shipments", "preflight", "customers", "payouts" })
        {
            Assert.True(root.TryGetProperty(key, out _), $"missing key {key}");
        }

        var p = root.GetProperty("payouts");
        int N(string name) => p.GetProperty(name).GetInt32();
        Assert.True(N("booked") >= 3, p.ToString()); // Stripe, Adyen, Klarna
        Assert.Equal(0, N("duplicates"));
        Assert.True(N("creditNotes") >= 2, p.ToString()); // the Stripe payout's refund and the refund made in Centra
        Assert.Equal(0, N("creditNoteDuplicates"));
        Assert.Equal(1, N("shopRefundCreditNotes"));
        Assert.True(N("transactionsUnmatched") >= 1, p.ToString());
        Assert.True(N("transactionsMatched") >= 6, p.ToString());
        Assert.True(N("feesWrittenOff") >= 6, p.ToString());
        Assert.Equal(0, N("balanceMismatches"));
        Assert.Equal(0, root.GetProperty("contract").GetProperty("violations").GetInt32());
        Assert.Equal(0, root.GetProperty("payments").GetProperty("giftAmountMismatches").GetInt32());

        // Products: the two articles only Visma.net has were brought to Centra by the product sync (counted in the emulator).
        var products = root.GetProperty("products");
        Assert.Equal(2, products.GetProperty("synced").GetInt32());
        Assert.True(products.GetProperty("mismatches").GetInt32() >= 2, products.ToString());
    }
}
