using FiBackup.Testing;

namespace FiBackup.Chart.Tests;

/// <summary>Paths in the source checkout the tests run from (see <see cref="SourceCheckout"/>).</summary>
internal static class Checkout
{
    public static string Root => SourceCheckout.Root;

    public static string PathOf(string relative) => SourceCheckout.PathOf(relative);

    public static string Chart => PathOf("charts/fi-backup-operator");

    public static string Asset(string name) => Path.Combine(AppContext.BaseDirectory, "Assets", name);
}
