"""Reference solutions to the exercises of notebook 01, The data (teacher's material).

Each block replaces the answer cell of the same id and runs after all the lesson's cells.
"""

# %% ex01_1
means = np.stack([x_train_scaled[y_train == digit].mean(axis=0) for digit in range(10)])
plots.show_digits(means, labels=range(10), count=10, title="The mean image of each digit")
plt.show()

distances = {(a, b): float(((means[a] - means[b]) ** 2).mean()) for a in range(10) for b in range(a + 1, 10)}
closest_pair = min(distances, key=distances.get)
closest_distance = distances[closest_pair]
print(f"closest means: {closest_pair[0]} and {closest_pair[1]}, mean squared difference {closest_distance:.4f}")

# %% ex01_2
stratified_fit_index, stratified_validation_index = data.stratified_split(y_train, n_validation)


def shares(labels):
    """The share of each digit 0-9 among the labels."""
    return np.bincount(labels, minlength=10) / len(labels)


random_share_gap = float(np.abs(shares(y_fit) - shares(y_val)).max())
stratified_share_gap = float(
    np.abs(shares(y_train[stratified_fit_index]) - shares(y_train[stratified_validation_index])).max()
)
print(f"largest difference in a digit's share: random split {random_share_gap:.2%}, "
      f"stratified split {stratified_share_gap:.2%}")

# %% ex01_3
digit = x_train[0]
shifted_digit = np.roll(digit, 3, axis=1)
changed_fraction = float((shifted_digit != digit).mean())
print(f"{changed_fraction:.0%} of the 784 pixel values change")

probe_conv = keras.layers.Conv2D(8, kernel_size=3)
maps = np.asarray(probe_conv(data.prepare(digit[np.newaxis])))
shifted_maps = np.asarray(probe_conv(data.prepare(shifted_digit[np.newaxis])))
largest_aligned_difference = float(np.abs(shifted_maps[:, :, 3:] - maps[:, :, :-3]).max())
print(f"feature maps, largest difference: {np.abs(shifted_maps - maps).max():.3f} as they are, "
      f"{largest_aligned_difference:.3g} lined up")
