using Junipeer.Connectors.Centra;

namespace Junipeer.Tests.Connectors;

public class VatSplitTests
{
    [Fact]
    public void Splits_in_proportion_to_gross_per_rate()
    {
        var shares = VatSplit.Split(100m, [(25m, 300m), (25m, 200m), (6m, 106m)]);

        Assert.Equal([(25m, 82.51m), (6m, 17.49m)], shares.ToArray());
    }

    [Fact]
    public void Puts_the_rounding_remainder_on_the_largest_share()
    {
        var shares = VatSplit.Split(0.10m, [(6m, 1m), (25m, 2m), (12m, 1m)]);

        // 0.05, 0.025→0.03, 0.025→0.03 = 0.11: the −0.01 remainder lands on the 25 % share (largest weight).
        Assert.Equal([(25m, 0.04m), (12m, 0.03m), (6m, 0.03m)], shares.ToArray());
        Assert.Equal(0.10m, shares.Sum(s => s.Amount));
    }

    [Fact]
    public void Without_weighted_lines_everything_goes_to_rate_zero()
    {
        Assert.Equal([(0m, 5m)], VatSplit.Split(5m, []).ToArray());
        Assert.Empty(VatSplit.Split(0m, [(25m, 10m)]));
    }
}
