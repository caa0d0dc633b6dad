using System.Globalization;

namespace Junipeer.Sandbox.Visma;

/// <summary>A numeric number series (Acumatica style): zero-padded to the width of the start number.</summary>
internal sealed class NumberSeries(string name, string start, string end, string? last)
{
    public string Name { get; } = name;

    public string Start { get; } = start;

    public string End { get; private set; } = end;

    public string? Last { get; private set; } = last;

    /// <summary>Returns the next number without consuming it, or null when the series is exhausted.</summary>
    public string? Peek()
    {
        var startN = long.Parse(Start, CultureInfo.InvariantCulture);
        var endN = long.Parse(End, CultureInfo.InvariantCulture);
        var next = Last is null ? startN : long.Parse(Last, CultureInfo.InvariantCulture) + 1;
        return next > endN ? null : next.ToString(CultureInfo.InvariantCulture).PadLeft(Start.Length, '0');
    }

    public void Consume(string number) => Last = number;

    /// <summary>Control plane: sets the last used number and, optionally, the end number.</summary>
    public void Reset(string? last, string? end)
    {
        Last = last;
        End = end ?? End;
    }
}
