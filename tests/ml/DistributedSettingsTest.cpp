// The environment a data-parallel rank reads (ml/DataParallel.h): what torchrun-style
// launchers set, and a clear message for what is missing or wrong.
#include "ml/DataParallel.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

using namespace torchestra::ml;

namespace {

std::string read(const std::map<std::string, std::string>& env, DistributedSettings& out) {
    return readDistributedSettings(out, [&env](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    });
}

const std::map<std::string, std::string> kGroup = {
    {"RANK", "1"}, {"WORLD_SIZE", "4"}, {"MASTER_ADDR", "node7"}, {"MASTER_PORT", "29500"}};

} // namespace

TEST(DistributedSettings, ReadsWhatALauncherSets) {
    DistributedSettings s;
    ASSERT_EQ(read(kGroup, s), "");
    EXPECT_EQ(s.rank, 1);
    EXPECT_EQ(s.worldSize, 4);
    EXPECT_EQ(s.localRank, 1); // LOCAL_RANK defaults to RANK
    EXPECT_EQ(s.masterAddress, "node7");
    EXPECT_EQ(s.masterPort, 29500);
    EXPECT_EQ(s.socketInterface, "");
    EXPECT_EQ(s.timeoutSeconds, 60);

    auto env = kGroup;
    env["LOCAL_RANK"] = "0";
    env["GLOO_SOCKET_IFNAME"] = "eth1";
    env["TORCHESTRA_DIST_TIMEOUT"] = "15";
    ASSERT_EQ(read(env, s), "");
    EXPECT_EQ(s.localRank, 0);
    EXPECT_EQ(s.socketInterface, "eth1");
    EXPECT_EQ(s.timeoutSeconds, 15);
}

TEST(DistributedSettings, NamesTheVariableThatIsMissingOrWrong) {
    const std::vector<std::pair<std::pair<std::string, std::string>, std::string>> cases = {
        {{"WORLD_SIZE", ""}, "WORLD_SIZE is not set"},
        {{"RANK", ""}, "RANK is not set"},
        {{"MASTER_ADDR", ""}, "MASTER_ADDR is not set"},
        {{"MASTER_PORT", ""}, "MASTER_PORT is not set"},
        {{"RANK", "4"}, "RANK is '4', not a whole number from 0 to 3 (WORLD_SIZE is 4)"},
        {{"RANK", "one"}, "RANK is 'one', not a whole number"},
        {{"WORLD_SIZE", "0"}, "WORLD_SIZE is '0', not a whole number from 1"},
        {{"MASTER_PORT", "70000"}, "MASTER_PORT is '70000', not a whole number from 1 to 65535"},
        {{"LOCAL_RANK", "-1"}, "LOCAL_RANK is '-1'"},
        {{"TORCHESTRA_DIST_TIMEOUT", "0.5"}, "TORCHESTRA_DIST_TIMEOUT is '0.5'"},
    };
    for (const auto& [change, expected] : cases) {
        auto env = kGroup;
        if (change.second.empty())
            env.erase(change.first);
        else
            env[change.first] = change.second;
        DistributedSettings s;
        s.rank = 42;
        const std::string error = read(env, s);
        EXPECT_NE(error.find(expected), std::string::npos) << error;
        EXPECT_EQ(s.rank, 42) << "left unchanged on error: " << expected;
    }
}
