namespace Junipeer.Connectors.Centra;

/// <summary>
/// Splits an order-level amount (a voucher) over VAT rates in proportion to weights (the lines' gross
/// value per rate), rounded to the cent, with the rounding remainder on the largest share. This is
/// the allocation the sandbox contract assumes for Centra (uncertain in Centra's docs).
/// </summary>
public static class VatSplit
{
    public static IReadOnlyList<(decimal Rate, decimal Amount)> Split(decimal amount, IEnumerable<(decimal Rate, decimal Weight)> weights)
    {
        var groups = weights
            .GroupBy(w => w.Rate)
            .Select(g => (Rate: g.Key, Weight: g.Sum(w => w.Weight)))
            .Where(g => g.Weight > 0)
            .OrderByDescending(g => g.Weight)
            .ThenByDescending(g => g.Rate)
            .ToList();
        if (amount == 0m)
            return [];
        if (groups.Count == 0)
            return [(0m, amount)];

        var total = groups.Sum(g => g.Weight);
        var shares = groups.Select(g => (g.Rate, Amount: Math.Round(amount * g.Weight / total, 2, MidpointRounding.AwayFromZero))).ToList();
        var remainder = amount - shares.Sum(s => s.Amount);
        shares[0] = (shares[0].Rate, shares[0].Amount + remainder);
        return shares.Where(s => s.Amount != 0m).OrderByDescending(s => s.Rate).ToList();
    }
}
