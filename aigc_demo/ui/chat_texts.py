"""The Chat page's words, each as (English, 中文)."""

TEXTS = {
    "tab_chat": ("Chat", "对话"),
    "chat_intro": (
        "Talk with a small dialogue model trained here: an LSTM that reads the conversation one character "
        "at a time, with a pointer that can copy words from it. English (chat-en, casual chats) and "
        "Chinese (chat-zh, talk about films, music and travel). After a reply, click any of its characters "
        "to see what else the model considered and where in the conversation it looked.",
        "和一个在这里训练的小型对话模型聊天：一个逐字阅读对话的 "
        "LSTM，还带有能从对话中复制词语的指针。英文（chat-en，日常闲聊）和中文（chat-zh，聊电影、音乐和旅行"
        "）。回复之后，点击回复中的任意一个字，看看模型还考虑过哪些字，以及它在对话里看向了哪里。",
    ),
    "chat_box": ("Conversation", "对话"),
    "chat_note": (
        "Replies are **AI-generated** by a small model: they can be wrong, odd or made up, and it "
        "remembers only the last few messages.",
        "回复由一个小模型 **AI 生成**：可能出错、古怪或凭空编造，而且它只记得最近几条消息。",
    ),
    "chat_message_placeholder": ("Your message (Enter sends)", "你的消息（回车发送）"),
    "chat_placeholder": ("Say something, or pick an example below.", "说点什么，或者选下面的一个例子。"),
    "chat_message_label": ("Your message", "你的消息"),
    "chat_send": ("Send", "发送"),
    "chat_model": ("Dialogue model", "对话模型"),
    "chat_lens": (
        "Probability lens of the last reply: darker = the model was surer (click a character)",
        "最后一条回复的概率透镜：颜色越深 = 模型越确定（点击一个字）",
    ),
    "chat_lens_pick": (
        "Click a character of the reply above to see the model's other candidates and where its pointer "
        "looked.",
        "点击上面回复中的一个字，查看模型的其他候选，以及它的指针看向了哪里。",
    ),
    "chat_lens_at": (
        "Character {position}: chosen **{char}** with probability {probability}; {copying} of the model's "
        "probability there came from copying the conversation.",
        "第 {position} 个字：选择了 **{char}**，概率 {probability}；此处模型的概率中有 {copying} "
        "来自复制对话内容。",
    ),
    "chat_attention": (
        "Where the pointer looked: darker characters are the ones it offered to copy",
        "指针看向的地方：颜色越深的字，越是它想复制的",
    ),
    "chat_branch": ("Rewrite the reply from here with this character", "从这里用这个字重写回复"),
    "chat_end": ("(end of reply)", "（回复结束）"),
}
