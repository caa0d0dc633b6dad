using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Contracts;
using Junipeer.Sandbox.Visma;

namespace Junipeer.Sandbox;

/// <summary>All in-memory data of the sandbox: vendor data, fault knobs and call statistics. Thread-safe.</summary>
public sealed class SandboxState
{
    public SandboxState(SandboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Clock = options.TimeProvider;
        Faults = new SandboxFaults(options.Seed);
        Stats = new SandboxStats();
        Contract = new ContractViolations(Clock);
        Visma = new VismaState(this);
        Centra = new CentraState(this);
        NShift = new NShift.NShiftState(this);
        Stripe = new Stripe.StripeState(this);
        Adyen = new Adyen.AdyenState(this);
        Klarna = new Klarna.KlarnaState(this);
        Modules = [new VismaModule(this), new CentraModule(this), new NShift.NShiftModule(this), new Stripe.StripeModule(this), new Adyen.AdyenModule(this), new Klarna.KlarnaModule(this)];
    }

    /// <summary>The vendor emulators, registered by <see cref="SandboxHost"/> in a loop.</summary>
    public IReadOnlyList<ISandboxModule> Modules { get; }

    public SandboxOptions Options { get; }

    public TimeProvider Clock { get; }

    public SandboxFaults Faults { get; }

    public SandboxStats Stats { get; }

    /// <summary>Off-contract requests seen by any emulator (see <see cref="SandboxOptions.StrictContracts"/>).</summary>
    public ContractViolations Contract { get; }

    public VismaState Visma { get; }

    public CentraState Centra { get; }

    public NShift.NShiftState NShift { get; }

    public Stripe.StripeState Stripe { get; }
    public Adyen.AdyenState Adyen { get; }

    public Klarna.KlarnaState Klarna { get; }

    /// <summary>Clears all data, knobs and counters (settings from <see cref="SandboxOptions"/> are restored).</summary>
    public void Reset()
    {
        foreach (var module in Modules)
        {
            module.Reset();
        }

        Faults.Reset(Options.Seed);
        Stats.Reset();
        Contract.Reset();
    }
}
