using System.ComponentModel.DataAnnotations;
using Junipeer.Core.Options;
using Microsoft.Extensions.Options;

namespace Junipeer.Functions.Hosting;

/// <summary>
/// Validates the nested sections at start-up (data annotations on each; the framework's
/// <c>ValidateDataAnnotations()</c> checks the top level but does not descend) and the key format.
/// </summary>
public sealed class JunipeerOptionsValidator : IValidateOptions<JunipeerOptions>
{
    public ValidateOptionsResult Validate(string? name, JunipeerOptions options)
    {
        var failures = new List<string>();
        Check(options.VismaNet, "Junipeer:VismaNet", failures);
        Check(options.Centra, "Junipeer:Centra", failures);
        Check(options.Orders, "Junipeer:Orders", failures);
        Check(options.Webhooks, "Junipeer:Webhooks", failures);
        Check(options.Console, "Junipeer:Console", failures);
        Check(options.Payouts, "Junipeer:Payouts", failures);
        if (options.Console.AdminSecret.Length is > 0 and < 16)
        {
            failures.Add("Junipeer:Console:AdminSecret must be at least 16 characters (or empty to turn secret sign-in off).");
        }
        if (!string.IsNullOrEmpty(options.TokenEncryptionKey) && !IsKey(options.TokenEncryptionKey))
        {
            failures.Add("Junipeer:TokenEncryptionKey must be the Base64 of exactly 32 random bytes.");
        }

        // The fence before each ERP write holds the row this long; everything between the fence and the
        // request leaving must fit: in-process rate-limit waits (the budget wait plus up to three 429
        // retries) and, after a 401, a second token round and send. So the lease must outlast two write
        // timeouts plus four in-process waits, with 10 s to spare.
        var needed = (2 * options.VismaNet.TimeoutSeconds) + (4 * options.Orders.MaxInProcessWaitSeconds) + 10;
        if (options.Orders.LeaseSeconds <= needed)
        {
            failures.Add($"Junipeer:Orders:LeaseSeconds ({options.Orders.LeaseSeconds}) must exceed 2 × Junipeer:VismaNet:TimeoutSeconds + 4 × Junipeer:Orders:MaxInProcessWaitSeconds + 10 s ({needed}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsKey(string value)
    {
        var buffer = new byte[64];
        return Convert.TryFromBase64String(value, buffer, out var written) && written == 32;
    }

    private static void Check(object section, string path, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(section, new ValidationContext(section), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"{path}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }
    }
}
