using System.Diagnostics;
using System.Globalization;
using System.Text;
using Junipeer.Connectors.Payments.Adyen;
using Spectre.Console;

namespace Junipeer.Bench;

/// <summary>
/// Adyen settlement details report parsing (<c>-- --mode adyen-parse [--lines 100000]</c>): a generated
/// report of N lines read (a) streamed row by row by <see cref="AdyenSettlementReport.ReadRowsAsync"/>
/// (CsvHelper over a FileStream, nothing kept), (b) streamed into a <see cref="Junipeer.Core.Payouts.Payout"/>
/// as the connector does (rows streamed, payout lines kept), against the baseline (c) loaded whole
/// (File.ReadAllText, split into lines, split on commas). Time, bytes allocated, and peak managed heap
/// (sampled every millisecond after a full GC) per mode, at 10k/100k/300k lines, so the streamed reader's
/// memory can be seen to stay flat as the file grows. Ratios are against the whole-file baseline of the same run.
/// </summary>
public static class AdyenParseBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var main = Program.Arg(args, "--lines", 100_000);
        var sizes = new[] { 10_000, main, 300_000 }.Distinct().Order().ToArray();
        var dir = Directory.CreateTempSubdirectory("junipeer-adyen-bench");
        try
        {
            var table = new Table().Title($"[bold]Adyen settlement report parse[/] ({Environment.ProcessorCount} cores)")
                .AddColumns("lines", "file", "mode", "time ms", "allocated MB", "peak heap MB", "time vs whole", "peak vs whole");
            var rows = new List<string>();
            foreach (var n in sizes)
            {
                var path = Path.Combine(dir.FullName, $"settlement_detail_report_batch_{n}.csv");
                var expected = Generate(path, n);
                var size = new FileInfo(path).Length;

                // Warm up (JIT) on the smallest size only once per mode.
                if (n == sizes[0])
                {
                    await StreamedAsync(path);
                    Whole(path);
                }

                var whole = Measure(() => Task.FromResult(Whole(path)));
                var streamed = Measure(() => StreamedAsync(path));
                var payout = Measure(() => PayoutAsync(path, n));
                foreach (var (name, m) in new[] { ("whole file (baseline)", whole), ("streamed rows", streamed), ("streamed → Payout", payout) })
                {
                    if (m.Sum != expected)
                        throw new InvalidOperationException($"{name}: sum {m.Sum} != {expected}");
                    table.AddRow(n.ToString("N0", CultureInfo.InvariantCulture), Mb(size), name, F(m.Ms), Mb(m.Allocated), Mb(m.PeakHeap),
                        F(m.Ms / whole.Ms) + "×", F((double)m.PeakHeap / whole.PeakHeap) + "×");
                    rows.Add($"| {n:N0} | {Mb(size)} MB | {name} | {F(m.Ms)} | {Mb(m.Allocated)} | {Mb(m.PeakHeap)} | {F(m.Ms / whole.Ms)}× | {F((double)m.PeakHeap / whole.PeakHeap)}× |");
                }
            }

            AnsiConsole.Write(table);
            Console.WriteLine("| lines | file | mode | time ms | allocated MB | peak heap MB | time vs whole | peak heap vs whole |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var r in rows)
                Console.WriteLine(r);
            Console.WriteLine($"process peak working set: {Mb(Process.GetCurrentProcess().PeakWorkingSet64)} MB");
            return 0;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private sealed record Result(double Ms, long Allocated, long PeakHeap, decimal Sum);

    private static Result Measure(Func<Task<decimal>> run)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var baseHeap = GC.GetTotalMemory(false);
        var peak = 0L;
        using var stop = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var now = GC.GetTotalMemory(false) - baseHeap;
                if (now > peak)
                    peak = now;
                Thread.Sleep(1);
            }
        }) { IsBackground = true };
        sampler.Start();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        var sum = run().GetAwaiter().GetResult();
        sw.Stop();
        var allocatedDelta = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var end = GC.GetTotalMemory(false) - baseHeap;
        stop.Cancel();
        sampler.Join();
        return new Result(sw.Elapsed.TotalMilliseconds, allocatedDelta, Math.Max(peak, end), sum);
    }

    private static async Task<decimal> StreamedAsync(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, true, new FileStreamOptions { BufferSize = 64 * 1024, Options = FileOptions.SequentialScan });
        var sum = 0m;
        await foreach (var row in AdyenSettlementReport.ReadRowsAsync(reader))
        {
            if (row.Type != "MerchantPayout")
                sum += row.Net;
        }

        return sum;
    }

    private static async Task<decimal> PayoutAsync(string path, int n)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, true, new FileStreamOptions { BufferSize = 64 * 1024, Options = FileOptions.SequentialScan });
        var payout = await AdyenSettlementReport.ToPayoutAsync(reader, "BenchShop", n);
        return payout.Lines.Sum(l => l.Net);
    }

    /// <summary>The baseline: the whole file in memory, split into lines and fields (the generated file has no quoted fields).</summary>
    private static decimal Whole(string path)
    {
        var text = File.ReadAllText(path);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var type = Array.IndexOf(header, "Type");
        var debit = Array.IndexOf(header, "Net Debit (NC)");
        var credit = Array.IndexOf(header, "Net Credit (NC)");
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        var sum = 0m;
        foreach (var f in rows)
        {
            if (f[type] == "MerchantPayout")
                continue;
            sum += D(f[credit]) - D(f[debit]);
        }

        return sum;
    }

    private static decimal D(string s) => s.Length == 0 ? 0m : decimal.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>Writes N lines (header + settled/refund rows, a fee row, the payout row); returns Σ net of the non-payout rows.</summary>
    private static decimal Generate(string path, int lines)
    {
        var columns = new[]
        {
            "Company Account", "Merchant Account", "Psp Reference", "Merchant Reference", "Payment Method", "Creation Date", "TimeZone", "Type",
            "Modification Reference", "Gross Currency", "Gross Debit (GC)", "Gross Credit (GC)", "Exchange Rate", "Net Currency", "Net Debit (NC)",
            "Net Credit (NC)", "Commission (NC)", "Markup (NC)", "Scheme Fees (NC)", "Interchange (NC)", "Payment Method Variant",
            "Modification Merchant Reference", "Batch Number", "Reserved4", "Reserved5", "Reserved6", "Reserved7", "Reserved8", "Reserved9", "Reserved10",
        };
        var random = new Random(42);
        var sum = 0m;
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.Write(string.Join(',', columns));
        w.Write('\n');
        var t = new DateTime(2026, 5, 4, 0, 0, 0);
        string Ts() => (t = t.AddSeconds(1)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        static string M(decimal v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        for (var i = 0; i < lines - 3; i++)
        {
            var gross = random.Next(100, 500_000) / 100m;
            var psp = (8815170000000000L + i).ToString(CultureInfo.InvariantCulture);
            if (i % 10 == 9)
            {
                w.Write($"BenchCompany,BenchShop,{psp},NT-{i},visa,{Ts()},CET,Refunded,{psp}R,SEK,{M(gross)},,1,SEK,{M(gross)},,,,,,visacredit,,{lines},,,,,,,\n");
                sum -= gross;
            }
            else
            {
                var fee = Math.Round(gross * 0.019m, 2);
                w.Write($"BenchCompany,BenchShop,{psp},NT-{i},visa,{Ts()},CET,Settled,{psp}C,SEK,,{M(gross)},1,SEK,,{M(gross - fee)},{M(fee)},,,,visacredit,,{lines},,,,,,,\n");
                sum += gross - fee;
            }
        }

        w.Write($"BenchCompany,BenchShop,,,,{Ts()},CET,Fee,Transaction Fees May 2026,SEK,12.30,,1,SEK,12.30,,,,,,,,{lines},,,,,,,\n");
        sum -= 12.30m;
        w.Write($"BenchCompany,BenchShop,,,,{Ts()},CET,MerchantPayout,Payout of batch {lines},SEK,{M(sum)},,1,SEK,{M(sum)},,,,,,,,{lines},,,,,,,\n");
        return sum;
    }

    private static string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Mb(long bytes) => (bytes / 1024d / 1024d).ToString("0.0", CultureInfo.InvariantCulture);
}
