namespace Junipeer.Tests.Cli;

/// <summary>`junipeer demo` stops on SIGTERM with everything it started: the `junipeer run` child and Azurite.</summary>
public class DemoSignalTests
{
    [Fact]
    public async Task Sigterm_stops_the_demo_its_host_child_and_its_Azurite()
    {
        var dir = Directory.CreateTempSubdirectory("junipeer-demo-sig-").FullName;
        await using var demo = CliProcess.Shell($"{CliProcess.CliCommand} demo --json", dir, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = null });
        await demo.WaitForOutputAsync("seeded", TimeSpan.FromSeconds(150));
        var children = CliProcess.Descendants(demo.Id);
        Assert.True(children.Count >= 2, $"expected Azurite and the host child, found {children.Count}");

        var sw = System.Diagnostics.Stopwatch.StartNew();
        demo.Signal("TERM");
        var exit = await demo.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(130, exit);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"stopping took {sw.Elapsed}");
        await Infrastructure.Eventually.TrueAsync(() => children.All(p => !File.Exists($"/proc/{p}/cmdline") || IsZombie(p)), TimeSpan.FromSeconds(10));
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }
}
