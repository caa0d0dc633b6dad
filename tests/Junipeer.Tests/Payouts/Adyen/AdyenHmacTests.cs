using Junipeer.Connectors.Payments.Adyen;

namespace Junipeer.Tests.Payouts.Adyen;

/// <summary>Adyen's notification HMAC against the test vectors published in Adyen's .NET library (contracts/adyen/SOURCE.md).</summary>
public class AdyenHmacTests
{
    [Fact]
    public void Plain_payload_vector()
    {
        const string data = "countryCode:currencyCode:merchantAccount:merchantReference:paymentAmount:sessionValidity:skinCode:NL:EUR:MagentoMerchantTest2:TEST-PAYMENT-2017-02-01-14\\:02\\:05:199:2017-02-02T14\\:02\\:05+01\\:00:PKz2KML1";
        Assert.Equal("34oR8T1whkQWTv9P+SzKyp8zhusf9n0dpqrm9nsqSJs=", AdyenHmac.Sign(data, "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00"));
    }

    [Fact]
    public void Notification_item_vector_signing_string_and_verification()
    {
        const string key = "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00";
        var item = new AdyenNotificationItem
        {
            PspReference = "pspReference",
            OriginalReference = "originalReference",
            MerchantAccountCode = "merchantAccount",
            MerchantReference = "reference",
            Value = 1000,
            Currency = "EUR",
            EventCode = "EVENT",
            Success = "true",
            HmacSignature = "ipnxGCaUZ4l8TUW75a71/ghd2Fe5ffvX0pV4TLTntIc=",
        };
        Assert.Equal("pspReference:originalReference:merchantAccount:reference:1000:EUR:EVENT:true", AdyenHmac.SigningString(item));
        Assert.Equal(item.HmacSignature, AdyenHmac.Sign(AdyenHmac.SigningString(item), key));
        Assert.True(AdyenHmac.Verify(item, key));
        Assert.False(AdyenHmac.Verify(item with { HmacSignature = "notValidSign" }, key));
        Assert.False(AdyenHmac.Verify(item with { HmacSignature = null }, key));
        Assert.False(AdyenHmac.Verify(item with { Value = 1001 }, key));
        Assert.False(AdyenHmac.Verify(item, "AABBCCDDEEFFAABBCCDDEEFFAABBCCDDEEFFAABBCCDDEEFFAABBCCDDEEFFAABB"));
        Assert.False(AdyenHmac.Verify(item, "not hex"));

        // A second key (rotation) is accepted alongside a wrong one.
        Assert.True(AdyenHmac.Verify(item, "AABBCCDDEEFFAABBCCDDEEFFAABBCCDDEEFFAABBCCDDEEFFAABBCCDDEEFFAABB", key));
    }

    [Fact]
    public void Notification_json_with_escaped_slashes_vector()
    {
        const string json = """
            {"live":"false","notificationItems":[{"NotificationRequestItem":{
              "additionalData":{"hmacSignature":"lQnzbwY09e5mwkC8YZozlHu5v\/2SFzAx6WRrvHx+3b8="},
              "amount":{"currency":"EUR","value":100},"eventCode":"CAPTURE","eventDate":"2020-01-21T12:30:00+01:00",
              "merchantAccountCode":"DotNetAlexandros","merchantReference":"UseqNbr006-orderId006\\\/",
              "originalReference":"TEST_CUSTOM_881578412007338A","paymentMethod":"mc","pspReference":"TEST_CUSTOM_881578412137072J",
              "reason":"sf","success":"false"}}]}
            """;
        var (items, error) = AdyenNotification.Parse(json);
        Assert.Null(error);
        Assert.True(AdyenHmac.Verify(Assert.Single(items), "66B61474A0AA3736BA8789EDC6D6CD9EBA0C4F414A554E32A407F849C045C69D"));
    }

    [Fact]
    public void Notification_json_with_colons_and_backslashes_vector()
    {
        const string json = """
            {"live":"false","notificationItems":[{"NotificationRequestItem":{
              "additionalData":{"acquirerCode":"TestPmmAcquirer","hmacSignature":"cyYGGNUYxRCIwmfET0zxNPQN/m9cKR6xNECwPzTfJIQ=","paymentMethod":"visa"},
              "amount":{"currency":"EUR","value":1000},"eventCode":"AUTHORISATION","eventDate":"2023-01-10T13:42:29+01:00",
              "merchantAccountCode":"AntoniStroinski","merchantReference":"\\:/\\/slashes are fun","operations":["CANCEL","CAPTURE","REFUND"],
              "paymentMethod":"visa","pspReference":"ZVWN7D3WSMK2WN82","reason":"052095:1111:03/2030","success":"true"}}]}
            """;
        var (items, error) = AdyenNotification.Parse(json);
        Assert.Null(error);
        var item = Assert.Single(items);
        Assert.Equal("\\:/\\/slashes are fun", item.MerchantReference);
        Assert.True(AdyenHmac.Verify(item, "AABBCCDDEEFFAABBCCDDEEFFAABBCCDDEEFFAABBCCDDEEFFAABBCCDDEEFFAABB"));
    }

    [Theory]
    [InlineData("settlement_detail_report_batch_42.csv", 42L)]
    [InlineData("settlement_detail_report_batch_1.csv", 1L)]
    [InlineData("settlement_detail_report_batch_.csv", null)]
    [InlineData("received_payments_report_2026_05_04.csv", null)]
    [InlineData("settlement_detail_report_batch_42.csv/../x", null)]
    public void Settlement_report_names_follow_the_documented_pattern(string name, long? batch) =>
        Assert.Equal(batch, AdyenNotification.SettlementBatch(name));
}
