// SPDX-License-Identifier: MIT
/// @file ctnn.hpp The umbrella header: includes every public ctnn header, nothing else.
#pragma once

#include <ctnn/config.hpp>
#include <ctnn/scalar.hpp>
#include <ctnn/math.hpp>
#include <ctnn/status.hpp>
#include <ctnn/activation.hpp>
#include <ctnn/layer.hpp>
#include <ctnn/parameters.hpp>
#include <ctnn/network.hpp>
#include <ctnn/layers/conv1d.hpp>
#include <ctnn/layers/gru.hpp>
#include <ctnn/layers/last_step.hpp>
#include <ctnn/layers/lstm.hpp>
#include <ctnn/layers/time_distributed.hpp>
#include <ctnn/chain.hpp>
#include <ctnn/backward.hpp>
#include <ctnn/jacobian.hpp>
#include <ctnn/loss.hpp>
#include <ctnn/rng.hpp>
#include <ctnn/init.hpp>
#include <ctnn/optimizer.hpp>
#include <ctnn/schedule.hpp>
#include <ctnn/batch.hpp>
#include <ctnn/train.hpp>
#include <ctnn/finite.hpp>
#include <ctnn/serialize.hpp>
#include <ctnn/export.hpp>
