namespace Junipeer.Sandbox;

public static class Program
{
    public static void Main(string[] args) => Console.WriteLine("sandbox: not built yet");
}
