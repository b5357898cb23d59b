// Distribution functions the experiment statistics need, in plain C++ (no numeric library on the image):
// the standard normal, Student's t and chi-square CDFs, and the quantiles used for confidence intervals.
#pragma once

namespace zhongtai::datahub {

// P(Z <= z) for a standard normal Z.
double NormalCdf(double z);

// The z with NormalCdf(z) == p, for 0 < p < 1 (Acklam's rational approximation refined by one Halley step).
double NormalQuantile(double p);

// Regularized incomplete beta I_x(a, b) for a, b > 0 and 0 <= x <= 1 (continued fraction, Lentz).
double RegularizedIncompleteBeta(double a, double b, double x);

// Regularized lower incomplete gamma P(a, x) for a > 0 and x >= 0 (series below a + 1, continued fraction above).
double RegularizedLowerGamma(double a, double x);

// P(T <= t) for Student's t with `df` > 0 degrees of freedom (df need not be an integer: Welch's test).
double StudentTCdf(double t, double df);

// The t with StudentTCdf(t, df) == p, for 0 < p < 1 (bisection to 1e-12).
double StudentTQuantile(double p, double df);

// P(X > x) for a chi-square X with `df` > 0 degrees of freedom.
double ChiSquareSurvival(double x, double df);

}  // namespace zhongtai::datahub
