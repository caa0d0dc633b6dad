namespace Junipeer.Tests;

public class SmokeTests
{
    [Fact]
    public void Error_catalogue_has_unique_codes()
    {
        var codes = Junipeer.Core.Errors.ErrorCodes.All.Select(e => e.Code).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }
}
