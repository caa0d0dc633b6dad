using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Junipeer.Bench;

/// <summary>
/// <c>--mode all</c>: every benchmark mode as its own child process (so each has the machine to itself
/// and its own peak memory), in one command, with the output of each written to bench/results.md
/// under a heading, headed by machine, date and commit. A mode is added by adding a row to
/// <see cref="Modes"/>; an optional mode (another branch's) is run only when this build has it.
/// </summary>
public static class AllBench
{
    /// <summary>(mode, arguments, what it measures, optional type that must exist for the mode to run).</summary>
    public static readonly (string Mode, string[] Args, string Title, string? RequiredType)[] Modes =
    [
        ("calls", ["--orders", "64"], "Visma calls per order and end-to-end throughput: engine vs the naive client (same Sandbox, same run)", null),
        ("ack", ["--requests", "400"], "Webhook acknowledgement latency, 1 and 16 concurrent senders, against the legacy intake", null),
        ("stock", ["--skus", "50000", "--baseline-skus", "2000"], "Stock push: Centra setStock calls and wall time, batched vs one call per SKU", null),
        ("rate-budget", ["--budget-calls", "40", "--budget-window-s", "20", "--windows", "4"], "Rate budget: useful orders per Visma window against the ideal (budget ÷ 2)", null),
        ("adyen-parse", [], "Adyen settlement report parse time and peak memory", "Junipeer.Bench.AdyenParseBench"),
        ("payout", ["--customers", "10", "--per-customer", "100"], "Payout booking: Visma calls per customer, 1,000 transactions across 10 customers, against one payment per transaction", "Junipeer.Bench.PayoutBench"),
    ];

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var root = FindRepositoryRoot();
        var output = Path.Combine(root, "bench", "results.md");
        var only = Program.Value(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var md = new StringBuilder();
        md.AppendLine("# Benchmark results").AppendLine();
        md.AppendLine("Written by `dotnet run -c Release --project bench/Junipeer.Bench -- --mode all` (see bench/README.md). Every figure is a ratio against a baseline measured in the same run.").AppendLine();
        md.AppendLine("| | |").AppendLine("|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| date (UTC) | {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| commit | {Git(root, "rev-parse --short HEAD")}{(Git(root, "status --porcelain").Length > 0 ? " (with uncommitted changes)" : "")} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| machine | {Cpu()}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| load average at start (1 / 5 / 15 min) | {LoadAverage()} |");
        md.AppendLine();
        md.AppendLine("The machine is shared: other sessions build and test on the same cores while this runs, so times and latencies carry their noise (the load average is above; a load far above the core count means every process waits for a core). Call counts, memory and ratios of counts do not depend on it.").AppendLine();

        var failures = 0;
        foreach (var (mode, modeArgs, title, required) in Modes)
        {
            if (only is not null && !only.Contains(mode, StringComparer.Ordinal))
                continue;
            md.AppendLine(CultureInfo.InvariantCulture, $"## {mode}: {title}").AppendLine();
            if (required is not null && typeof(AllBench).Assembly.GetType(required) is null)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"Not run: this build has no `{required}` (the mode is added on another branch; `--mode all` runs it once it is merged).").AppendLine();
                continue;
            }

            Console.Error.WriteLine($"== {mode} ==");
            var clock = Stopwatch.StartNew();
            var (exit, text) = await RunChildAsync([.. new[] { "--mode", mode }, .. modeArgs], ct);
            md.AppendLine(CultureInfo.InvariantCulture, $"`--mode {mode} {string.Join(' ', modeArgs)}`: exit {exit}, {clock.Elapsed.TotalSeconds:0} s.").AppendLine();
            md.AppendLine("```").AppendLine(text.TrimEnd()).AppendLine("```").AppendLine();
            if (exit != 0)
                failures++;
            await File.WriteAllTextAsync(output, md.ToString(), ct); // keep what is measured even if a later mode fails
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"Load average at the end (1 / 5 / 15 min): {LoadAverage()}.").AppendLine();
        await File.WriteAllTextAsync(output, md.ToString(), ct);
        Console.Error.WriteLine($"wrote {output}");
        return failures == 0 ? 0 : 1;
    }

    private static async Task<(int Exit, string Output)> RunChildAsync(string[] args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(AllBench).Assembly.Location);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["COLUMNS"] = "160";
        using var p = Process.Start(psi)!;

        // The child's progress goes on to the console; its last lines are kept, so a failed mode says why in results.md.
        var tail = new Queue<string>();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            Console.Error.WriteLine(e.Data);
            lock (tail)
            {
                tail.Enqueue(e.Data);
                if (tail.Count > 30)
                    tail.Dequeue();
            }
        };
        p.BeginErrorReadLine();
        var text = await p.StandardOutput.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0)
        {
            lock (tail)
                text += Environment.NewLine + "--- last lines of its error output ---" + Environment.NewLine + string.Join(Environment.NewLine, tail);
        }

        return (p.ExitCode, text);
    }

    private static string Git(string root, string args)
    {
        try
        {
            var psi = new ProcessStartInfo("git", args) { WorkingDirectory = root, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var text = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string Cpu()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Junipeer.Functions.sln")))
                return dir.FullName;
        }

        return Directory.GetCurrentDirectory();
    }
}
