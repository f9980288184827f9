package io.upcall.producers.load;

/**
 * What volume the load generator simulates and how it is used: the layout (bricks, replicas), who uses it
 * (clients), its size (directories, files), the operation mix, the skew over files and the seed.
 *
 * @param volume          volume name carried by every record
 * @param bricks          number of bricks; a multiple of {@code replicas}
 * @param replicas        replication factor: each modifying fop is published by this many bricks, one txId
 * @param clients         number of client connections (mounts) issuing fops
 * @param directories     directories in the tree, the root included (kept near this size)
 * @param files           files in the tree (kept near this size)
 * @param readRatio       fraction of fops that only read (LOOKUP, STAT, READ, READDIRP, ...), in [0, 1]
 * @param writeWeight     weight of data writes (WRITE, TRUNCATE, ...) among the fops that are not reads
 * @param metadataWeight  weight of metadata changes (SETATTR, SETXATTR, REMOVEXATTR) among the others
 * @param entryWeight     weight of entry fops (CREATE, UNLINK, RENAME, LINK, MKDIR, ...) among the others
 * @param zipfExponent    skew of file popularity: 0 is uniform, 1 is classic Zipf
 * @param seed            seed of every random choice: the same spec and clock give the same fops
 * @param populate        start from an empty volume and first emit the MKDIR/CREATE fops that build the tree
 */
public record LoadSpec(
    String volume,
    int bricks,
    int replicas,
    int clients,
    int directories,
    int files,
    double readRatio,
    double writeWeight,
    double metadataWeight,
    double entryWeight,
    double zipfExponent,
    long seed,
    boolean populate) {

  public LoadSpec {
    if (volume == null || volume.isBlank()) {
      throw new IllegalArgumentException("volume must not be empty");
    }
    atLeast("bricks", bricks, 1);
    atLeast("replicas", replicas, 1);
    if (bricks % replicas != 0) {
      throw new IllegalArgumentException(
          "bricks must be a multiple of replicas (got bricks "
              + bricks
              + ", replicas "
              + replicas
              + ")");
    }
    atLeast("clients", clients, 1);
    atLeast("directories", directories, 1);
    atLeast("files", files, 1);
    if (!(readRatio >= 0 && readRatio <= 1)) {
      throw new IllegalArgumentException("readRatio must be in [0, 1], got " + readRatio);
    }
    nonNegative("writeWeight", writeWeight);
    nonNegative("metadataWeight", metadataWeight);
    nonNegative("entryWeight", entryWeight);
    if (readRatio < 1 && writeWeight + metadataWeight + entryWeight == 0) {
      throw new IllegalArgumentException(
          "writeWeight, metadataWeight and entryWeight are all 0 but readRatio "
              + readRatio
              + " < 1");
    }
    if (!(zipfExponent >= 0) || Double.isInfinite(zipfExponent)) {
      throw new IllegalArgumentException(
          "zipfExponent must be a finite number >= 0, got " + zipfExponent);
    }
  }

  /** The defaults: 3 bricks without replication, 100 clients, 100 directories, 10,000 files, 80 % reads. */
  public static LoadSpec defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this spec. */
  public Builder toBuilder() {
    return new Builder()
        .volume(volume)
        .bricks(bricks)
        .replicas(replicas)
        .clients(clients)
        .directories(directories)
        .files(files)
        .readRatio(readRatio)
        .writeWeight(writeWeight)
        .metadataWeight(metadataWeight)
        .entryWeight(entryWeight)
        .zipfExponent(zipfExponent)
        .seed(seed)
        .populate(populate);
  }

  /** Fraction of fops in each category, in the order read, write, metadata, entry. */
  double[] categoryShares() {
    double others = writeWeight + metadataWeight + entryWeight;
    double rest = 1 - readRatio;
    if (others == 0) {
      return new double[] {1, 0, 0, 0};
    }
    return new double[] {
      readRatio,
      rest * writeWeight / others,
      rest * metadataWeight / others,
      rest * entryWeight / others
    };
  }

  private static void atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
    }
  }

  private static void nonNegative(String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number >= 0, got " + value);
    }
  }

  /** Builds a {@link LoadSpec}; unset values keep the defaults. */
  public static final class Builder {
    private String volume = "vol0";
    private int bricks = 3;
    private int replicas = 1;
    private int clients = 100;
    private int directories = 100;
    private int files = 10_000;
    private double readRatio = 0.8;
    private double writeWeight = 10;
    private double metadataWeight = 6;
    private double entryWeight = 4;
    private double zipfExponent = 1.0;
    private long seed = 1;
    private boolean populate = true;

    private Builder() {}

    public Builder volume(String volume) {
      this.volume = volume;
      return this;
    }

    public Builder bricks(int bricks) {
      this.bricks = bricks;
      return this;
    }

    public Builder replicas(int replicas) {
      this.replicas = replicas;
      return this;
    }

    public Builder clients(int clients) {
      this.clients = clients;
      return this;
    }

    public Builder directories(int directories) {
      this.directories = directories;
      return this;
    }

    public Builder files(int files) {
      this.files = files;
      return this;
    }

    public Builder readRatio(double readRatio) {
      this.readRatio = readRatio;
      return this;
    }

    public Builder writeWeight(double writeWeight) {
      this.writeWeight = writeWeight;
      return this;
    }

    public Builder metadataWeight(double metadataWeight) {
      this.metadataWeight = metadataWeight;
      return this;
    }

    public Builder entryWeight(double entryWeight) {
      this.entryWeight = entryWeight;
      return this;
    }

    public Builder zipfExponent(double zipfExponent) {
      this.zipfExponent = zipfExponent;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder populate(boolean populate) {
      this.populate = populate;
      return this;
    }

    /**
     * The spec.
     *
     * @throws IllegalArgumentException naming the first value out of range
     */
    public LoadSpec build() {
      return new LoadSpec(
          volume,
          bricks,
          replicas,
          clients,
          directories,
          files,
          readRatio,
          writeWeight,
          metadataWeight,
          entryWeight,
          zipfExponent,
          seed,
          populate);
    }
  }
}
