using System.CommandLine;
using Junipeer.Core.Errors;

namespace Junipeer.Cli;

/// <summary>The top-level handler: every failure of every command ends as <c>CODE: message</c> + fix (see <see cref="CliErrors"/>).</summary>
public static partial class Program
{
    private static readonly Option<bool> VerboseOption = new("--verbose")
    {
        Description = $"On a failure, also print the stack trace (or set {CliErrors.VerboseEnvironmentVariable}=1)",
        Recursive = true,
    };

    /// <summary>
    /// Parses and runs a command line. Parse errors become CLI_ARGUMENTS_INVALID (exit 2); an exception a
    /// command lets escape is classified by <see cref="CliErrors.Classify"/>; no stack trace unless verbose.
    /// </summary>
    public static async Task<int> InvokeGuardedAsync(RootCommand root, string[] args, CancellationToken ct)
    {
        var verbose = CliErrors.Verbose(args);
        var json = args.Contains("--json", StringComparer.Ordinal);
        try
        {
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                var command = parse.CommandResult.Command == root ? "" : parse.CommandResult.Command.Name + " ";
                var message = string.Join(" ", parse.Errors.Select(e => e.Message.TrimEnd('.') + ".")) + $" See `junipeer {command}--help`.";
                if (json)
                {
                    CliErrors.WriteJson(ErrorCodes.CliArgumentsInvalid, message, null);
                }

                CliErrors.Write(ErrorCodes.CliArgumentsInvalid, message);
                return ExitCodes.InvalidInput;
            }

            return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, ct);
        }
        catch (Exception ex)
        {
            return CliErrors.Report(ex, verbose, json);
        }
    }
}
