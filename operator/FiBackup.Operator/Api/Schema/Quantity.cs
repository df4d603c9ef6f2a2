namespace FiBackup.Operator.Api.Schema;

/// <summary>The grammar of a Kubernetes resource quantity (200Mi, 1.5G, 100000), for schema patterns.</summary>
public static class Quantity
{
    // sign? number (suffix: binary Ki..Ei | decimal n,u,m,k,M..E | exponent)?
    public const string Pattern =
        @"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";
}
