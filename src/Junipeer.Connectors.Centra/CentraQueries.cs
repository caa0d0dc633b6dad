namespace Junipeer.Connectors.Centra;

/// <summary>The GraphQL operations sent to Centra's Integration API (names and variables per docs/sandbox-contract.md).</summary>
public static class CentraQueries
{
    public const string OrderByNumberOperation = "OrderByNumber";
    public const string OrdersChangedSinceOperation = "OrdersChangedSince";

    private const string AddressFields = "firstName lastName companyName address1 address2 city zipCode country { code name } email phoneNumber vatNumber";

    private const string OrderFields = $$"""
        __typename id number status isOnHold createdAt updatedAt orderDate
        store { id type } market { id name } pricelist { id name }
        ... on DirectToConsumerOrder { customer { id email firstName lastName } }
        ... on WholesaleOrder { account { id name } buyer { id email } }
        billingAddress { {{AddressFields}} }
        shippingAddress { {{AddressFields}} }
        grandTotal { value currency { code } }
        totals { lineValues { value } shipping { value } discounts { value } taxIncluded { value } taxAdded { value } shippingTaxIncluded { value } shippingTaxAdded { value } }
        lines { id productNumber productName productVariantName size quantity taxPercent discountPercent hasAnyDiscount
          unitPrice { value } unitOriginalPrice { value } lineValue { value } lineValueNet: lineValue(includingTax: false) { value } productSize { SKU } }
        discountsApplied { value { value } date ... on AppliedVoucher { voucher { name code type } } }
        paymentHistory { id createdAt status entryType externalReference value { value } paymentMethod }
        """;

    public const string OrderByNumber = $$"""
        query OrderByNumber($number: Int!) {
          orders(where: { number: [$number] }, limit: 1) {
            {{OrderFields}}
          }
        }
        """;

    public const string OrdersChangedSince = """
        query OrdersChangedSince($from: DateTimeTz!, $limit: Int!, $page: Int!) {
          orders(where: { updatedAt: { from: $from } }, sort: [{ field: UPDATED_AT, order: ASC }], limit: $limit, page: $page) {
            number updatedAt
          }
        }
        """;
}
