using System.Text;

namespace Junipeer.Connectors.Centra;

/// <summary>
/// The GraphQL operations sent to Centra's Integration API. Every one validates against
/// contracts/centra/integration-api.graphql (the Sandbox rejects anything that does not).
/// </summary>
public static class CentraQueries
{
    public const string OrderByNumberOperation = "OrderByNumber";
    public const string OrdersChangedSinceOperation = "OrdersChangedSince";

    private const string AddressFields = "firstName lastName companyName address1 address2 city zipCode country { code name } email phoneNumber vatNumber";

    // Vouchers: voucherName and code are on AppliedVoucher itself; AppliedVoucher.voucher would need the
    // Voucher:read permission (centra.dev/graphql/appliedvoucher.html), so it is not selected.
    // Gift cards: recognised by paymentHistory.entryType (CAPTURE_GIFT_CARD ...), not by paymentMethod text.
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
        discountsApplied { value { value } ... on AppliedVoucher { date voucherName code } }
        paymentHistory { id createdAt status entryType externalReference value { value currency { code } } paymentMethod }
        """;

    public const string OrderByNumber = $$"""
        query OrderByNumber($number: Int!) {
          orders(where: { number: [$number] }, limit: 1) {
            {{OrderFields}}
          }
        }
        """;

    /// <summary>
    /// Orders with updatedAt at or after <c>$from</c>, oldest first (<c>sort: [updatedAt_ASC, id_ASC]</c>,
    /// enum values as Centra's sort arguments take them), optionally narrowed to store and market ids
    /// (OrderFilter.storeId / marketId). Shipping country is not filtered here: OrderFilter only has
    /// countryId, Centra's internal id, so the connector filters countries client side.
    /// </summary>
    public static string OrdersChangedSince(bool byStore, bool byMarket)
    {
        var parameters = new StringBuilder("$from: DateTimeTz!, $limit: Int!, $page: Int!");
        var where = new StringBuilder("updatedAt: { from: $from }");
        if (byStore)
        {
            parameters.Append(", $storeIds: [Int!]");
            where.Append(", storeId: $storeIds");
        }

        if (byMarket)
        {
            parameters.Append(", $marketIds: [Int!]");
            where.Append(", marketId: $marketIds");
        }

        return $$"""
            query OrdersChangedSince({{parameters}}) {
              orders(where: { {{where}} }, sort: [updatedAt_ASC, id_ASC], limit: $limit, page: $page) {
                number updatedAt store { id } market { id } shippingAddress { country { code } }
              }
            }
            """;
    }
}
