using System.Text;

namespace Junipeer.Storage;

/// <summary>
/// PartitionKey/RowKey may not contain / \ # ? or control characters; shop ids and e-mails can.
/// Disallowed characters (and the escape character itself) become ~XX hex escapes, so keys stay
/// readable and unique.
/// </summary>
public static class TableKeys
{
    public static string Encode(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is '/' or '\\' or '#' or '?' or '~' || char.IsControl(c))
            {
                sb.Append('~').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    public static string Partition(string integrationId, string part) => $"{Encode(integrationId)}|{Encode(part)}";
}
