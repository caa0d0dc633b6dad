using System.Net.Sockets;
using System.Text.Json;
using Junipeer.Core.Errors;
using Microsoft.Extensions.Options;

namespace Junipeer.Cli;

/// <summary>
/// The CLI's one way to report a failure: <c>CODE: message</c> and the fix from the error catalogue
/// (docs/error-codes.md) on stderr, a non-zero exit code, no stack trace unless <c>--verbose</c> or
/// <c>JUNIPEER_VERBOSE=1</c>. <see cref="Classify"/> maps every exception a command can let escape.
/// </summary>
public static class CliErrors
{
    public const string VerboseEnvironmentVariable = "JUNIPEER_VERBOSE";

    /// <summary>Unexpected failure (EX_SOFTWARE of sysexits.h).</summary>
    public const int UnexpectedExit = 70;

    /// <summary>Cancelled by Ctrl+C / SIGTERM (128 + SIGINT).</summary>
    public const int CancelledExit = 130;

    public sealed record Failure(int Exit, string Code, string Message);

    /// <summary>True when stack traces may be printed: <c>--verbose</c> on the command line or JUNIPEER_VERBOSE=1/true.</summary>
    public static bool Verbose(IReadOnlyList<string> args) =>
        args.Contains("--verbose", StringComparer.Ordinal)
        || Environment.GetEnvironmentVariable(VerboseEnvironmentVariable) is "1" or "true" or "TRUE" or "True";

    /// <summary>The code, message and exit code an exception stands for.</summary>
    public static Failure Classify(Exception ex)
    {
        if (ex is AggregateException { InnerExceptions.Count: 1 } single)
            return Classify(single.InnerException!);
        return ex switch
        {
            JunipeerException { Code: ErrorCodes.StorageUnavailable } j => new(ExitCodes.StorageUnavailable, j.Code, j.Message),
            JunipeerException j => new(ExitCodes.InvalidInput, j.Code, j.Message),
            OptionsValidationException o => new(ExitCodes.InvalidInput, ErrorCodes.DeploymentSettingsInvalid, string.Join("; ", o.Failures)),
            JsonException j => new(ExitCodes.InvalidInput, ErrorCodes.DeploymentSettingsInvalid, $"A settings file is not valid JSON: {FirstLine(j.Message)}"),
            Azure.RequestFailedException or HttpRequestException or SocketException or TimeoutException =>
                new(ExitCodes.StorageUnavailable, ErrorCodes.StorageUnavailable, $"Storage could not be reached: {FirstLine(ex.Message)}"),
            FormatException or ArgumentException when LooksLikeConnectionString(ex) =>
                new(ExitCodes.StorageUnavailable, ErrorCodes.StorageUnavailable, $"AzureWebJobsStorage is not a usable connection string: {FirstLine(ex.Message)}"),
            OperationCanceledException => new(CancelledExit, ErrorCodes.CliUnexpectedError, "Cancelled."),
            _ => new(UnexpectedExit, ErrorCodes.CliUnexpectedError, $"{ex.GetType().Name}: {FirstLine(ex.Message)}"),
        };
    }

    /// <summary>Writes the failure to stderr (and, with --json, as {error:{code,message,fix}} on stdout); returns the exit code.</summary>
    public static int Report(Exception ex, bool verbose, bool json)
    {
        var f = Classify(ex);
        if (json)
            WriteJson(f.Code, f.Message, null);
        Write(f.Code, f.Message);
        if (verbose)
            Console.Error.WriteLine(ex.ToString());
        return f.Exit;
    }

    /// <summary>Prints the exception with its stack trace on stderr when verbose (--verbose or JUNIPEER_VERBOSE=1): for commands that report a caught failure themselves.</summary>
    public static void TraceIfVerbose(Exception ex)
    {
        if (Verbose(Environment.GetCommandLineArgs()))
            Console.Error.WriteLine(ex.ToString());
    }

    /// <summary><c>CODE: message</c> then <c>fix: …</c> on stderr, plain (no markup, no wrapping: greppable when piped).</summary>
    public static void Write(string code, string message)
    {
        Console.Error.WriteLine($"{code}: {message}");
        if (FixOf(code) is { } fix)
            Console.Error.WriteLine($"fix: {fix}");
    }

    public static void WriteJson(string code, string message, object? storage) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(new { error = new { code, message, fix = FixOf(code) }, storage }, Junipeer.Core.JunipeerJson.Options));

    public static string? FixOf(string code) => ErrorCodes.All.FirstOrDefault(e => e.Code == code)?.Fix;

    private static bool LooksLikeConnectionString(Exception ex) =>
        ex.StackTrace?.Contains("Azure.", StringComparison.Ordinal) == true
        || ex.Message.Contains("connection string", StringComparison.OrdinalIgnoreCase);

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
