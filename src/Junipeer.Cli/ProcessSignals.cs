using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Junipeer.Cli;

/// <summary>
/// Ctrl+C (SIGINT), SIGTERM and SIGQUIT as one cancellation token, so <c>run</c> and <c>demo</c>
/// stop their host and their Azurite child before exiting. A second signal exits at once.
/// </summary>
public sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    public ShutdownSignals()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }
    }

    public CancellationToken Token => _cts.Token;

    private void OnSignal(PosixSignalContext context)
    {
        if (_cts.IsCancellationRequested)
        {
            return; // second signal: let the runtime's default handling end the process
        }

        context.Cancel = true;
        Console.Error.WriteLine($"{context.Signal}: stopping…");
        _cts.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations)
        {
            r.Dispose();
        }

        _cts.Dispose();
    }
}

/// <summary>Stopping child processes: a polite SIGTERM, then a kill of the whole tree.</summary>
public static class ProcessSignals
{
    public static async Task TerminateAsync(Process process, TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }

        if (!OperatingSystem.IsWindows())
        {
            try
            {
                using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
                if (kill is not null)
                {
                    await kill.WaitForExitAsync();
                }

                using var wait = new CancellationTokenSource(grace);
                await process.WaitForExitAsync(wait.Token);
                return;
            }
            catch (OperationCanceledException)
            {
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
