// deltaprop/deltaprop.hpp — everything: include this one header to use deltaprop from C++.
//
//   deltaprop::Network<double> net({2, 10, 1}, deltaprop::Output::tanh, /*seed=*/1);
//   deltaprop::Data<double> data{x, y, n};            // row-major N × d0 and N × dL
//   deltaprop::Evaluator<double> ev(net.layout());
//   std::vector<double> g(net.n_weights());
//   double e_in = ev.error_and_gradient(net, data, g.data());
#pragma once

#include "deltaprop/activation.hpp"
#include "deltaprop/activations/identity.hpp"
#include "deltaprop/activations/logistic.hpp"
#include "deltaprop/activations/relu.hpp"
#include "deltaprop/activations/softmax.hpp"
#include "deltaprop/activations/tanh.hpp"
#include "deltaprop/batch_source.hpp"
#include "deltaprop/blas.hpp"
#include "deltaprop/checks.hpp"
#include "deltaprop/data.hpp"
#include "deltaprop/descent.hpp"
#include "deltaprop/fast_exp.hpp"
#include "deltaprop/fit_options.hpp"
#include "deltaprop/fused_block.hpp"
#include "deltaprop/gemm.hpp"
#include "deltaprop/gradient.hpp"
#include "deltaprop/history.hpp"
#include "deltaprop/lanewise.hpp"
#include "deltaprop/line_search.hpp"
#include "deltaprop/local_objective.hpp"
#include "deltaprop/loss.hpp"
#include "deltaprop/losses/cross_entropy.hpp"
#include "deltaprop/losses/squared_error.hpp"
#include "deltaprop/methods/registry.hpp"
#include "deltaprop/model_codec.hpp"
#include "deltaprop/model_file.hpp"
#include "deltaprop/network.hpp"
#include "deltaprop/objective.hpp"
#include "deltaprop/parts.hpp"
#include "deltaprop/propagation.hpp"
#include "deltaprop/random.hpp"
#include "deltaprop/regularization.hpp"
#include "deltaprop/sgd.hpp"
#include "deltaprop/small_products.hpp"
#include "deltaprop/thread_pool.hpp"
#include "deltaprop/trace.hpp"
#include "deltaprop/training.hpp"
#include "deltaprop/version.hpp"
